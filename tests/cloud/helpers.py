"""Building a cloud client the way cloud mode will: a CLI profile, an endpoint, the SDK."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecsimg.cloud.client import ClientSettings, EcsClient
from ecsimg.cloud.retry import RetryPolicy
from ecsimg.cloud.session import open_client, resolve_target
from tests.cloud.conftest import ak_profile, write_config


def client_for(home: Path, url: str, *, connect_timeout: float = 2.0,
               read_timeout: float = 2.0, retry: RetryPolicy | None = None,
               sleeps: list[float] | None = None) -> EcsClient:
    """A client with an AK profile from ``home``'s config.json, pointed at ``url``."""
    write_config(home, [ak_profile("default")])
    target = resolve_target("default", url)
    settings = ClientSettings(connect_timeout=connect_timeout, read_timeout=read_timeout,
                              retry=retry or RetryPolicy(base_delay=0.01, max_delay=0.05))
    client = open_client(target, settings)
    # Real waits are tested in test_retry with a fake clock; here they are recorded.
    client.sleep = (sleeps if sleeps is not None else []).append
    return client


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Listener:
    """A TCP listener that counts connections and either never answers or hangs up at once."""

    def __init__(self, *, hang_up: bool) -> None:
        self.hang_up = hang_up
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.hang_up:
                conn.recv(65536)
                conn.close()
            else:
                self.held.append(conn)

    def close(self) -> None:
        self.closed = True
        self.sock.close()
        for conn in self.held:
            conn.close()


@contextmanager
def listener(*, hang_up: bool) -> Iterator[Listener]:
    running = Listener(hang_up=hang_up)
    try:
        yield running
    finally:
        running.close()
