"""Cloud mode: a real Alibaba Cloud account through the official SDK, with the store as its cache.

Nothing here imports Textual or Rich, and the SDK packages are imported only when a client or a
credential is built, so the simulator path and ``ecsimg --version`` never load them.
"""
