"""Loading the SDK packages, once, with their own log handlers silenced.

The credentials library, Tea and darabonba each attach a stderr handler to their loggers and
log tracebacks (with request URLs) when a refresh fails; ecsimg reports failures itself, as
one line, so those handlers are replaced by null ones.
"""

from __future__ import annotations

import logging
import threading

SDK_LOGGERS = ("credentials", "alibabacloud-tea", "darabonba-core")
_lock = threading.Lock()
_quiet = False


def load_sdk() -> None:
    """Import the SDK's modules that log, and silence them; later calls do nothing."""
    global _quiet
    with _lock:
        if _quiet:
            return
        import alibabacloud_credentials.provider  # noqa: F401  (attaches the handlers)
        import darabonba.core  # noqa: F401
        import Tea.core  # noqa: F401

        for name in SDK_LOGGERS:
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.addHandler(logging.NullHandler())
            logger.propagate = False
        _quiet = True
