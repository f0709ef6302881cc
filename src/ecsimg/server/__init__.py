"""The ECS API over HTTP: both signature styles, the gateway's refusals, the real replies.

The server calls the service only through the ``door`` it is given and reads keys only
through the ``lookup`` it is given; it imports neither the store nor Textual nor Rich.
"""
