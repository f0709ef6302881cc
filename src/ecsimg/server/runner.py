"""Running the application on uvicorn: the socket, the ready line, and a clean stop on a signal."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Generator

import uvicorn

from ecsimg.server.app import EcsApp

GRACEFUL_SECONDS = 30
"""How long a stop waits for requests in flight before cancelling them."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

Ready = Callable[[str], None]
"""Told the URL once the server accepts connections."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0 picks a free one); OSError when it cannot."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class _Server(uvicorn.Server):
    """uvicorn's server, announcing readiness once and stopping quietly on a signal."""

    def __init__(self, config: uvicorn.Config, url: str, ready: Ready) -> None:
        super().__init__(config)
        self._url = url
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready(self._url)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn re-raises the signal after its graceful stop, which would end the process
        # with a signal status; a requested stop is a clean exit here.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _quiet_logging() -> None:
    """uvicorn's warnings and errors as one line each on stderr; no access log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ecsimg serve: %(message)s"))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        log = logging.getLogger(name)
        log.handlers = [handler]
        log.propagate = False
        log.setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True


def run(app: EcsApp, sock: socket.socket, ready: Ready) -> None:
    """Serve on ``sock`` until SIGINT or SIGTERM; requests in flight finish first."""
    _quiet_logging()
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        http="httptools",
        loop="asyncio",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        server_header=False,
        date_header=True,
    )
    _Server(config, url_of(sock), ready).run(sockets=[sock])
