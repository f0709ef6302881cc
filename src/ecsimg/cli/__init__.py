"""The ``ecsimg`` command: argument parsing, the ``api`` parameter syntax, JSON output."""
