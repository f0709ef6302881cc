"""A real ``ecsimg serve`` in a subprocess, and the official SDKs' clients pointed at it."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.client import AcsClient

from tests.cli.runner import cli_env, run_ecsimg

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
                   "all_proxy")
"""The SDKs send even 127.0.0.1 through these when set; NO_PROXY does not stop them."""
READY_PREFIX = "ecsimg serve: listening on http://"
START_SECONDS = 60.0


def clear_proxies(environment: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if k not in PROXY_VARIABLES}


@dataclass(frozen=True)
class Keys:
    """What ``ecsimg profile keys`` printed."""

    profile: str
    access_key_id: str
    secret: str
    token: str = ""


def profile_keys(db: Path, profile: str, *, sts: bool = False) -> Keys:
    result = run_ecsimg("profile", "keys", profile, *(["--sts"] if sts else []), db=db)
    assert result.status == 0, result.err
    shown = result.json()
    return Keys(shown["Profile"], shown["AccessKeyId"], shown["AccessKeySecret"],
                shown.get("SecurityToken", ""))


@dataclass
class Served:
    """A running server: its process, address and catalogue."""

    proc: subprocess.Popen[bytes]
    host: str
    port: int
    db: Path
    ready_line: str
    stderr_path: Path
    extra_stdout: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}/"

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 60.0) -> int:
        """Send ``sig`` and return the exit status once the process has ended."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"serve did not stop within {timeout} s of {sig.name}") from None
        assert self.proc.stdout is not None
        self.extra_stdout.extend(self.proc.stdout.read().decode("utf-8").splitlines())
        self.proc.stdout.close()
        assert "Traceback" not in self.stderr(), self.stderr()
        return status


def start_server(db: Path, *, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = (), serve_args: tuple[str, ...] = ()) -> Served:
    """``ecsimg --db DB serve --port 0`` started and read up to its ready line; ``args``
    go before ``serve``, ``serve_args`` (``--fault-throttle 0.2``) after it."""
    environment = clear_proxies(cli_env(db))
    environment.update(env or {})
    stderr_path = db.parent / f"serve-{time.monotonic_ns()}.err"
    with stderr_path.open("wb") as stderr_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ecsimg", *args, "serve", "--port", "0", *serve_args],
            stdout=subprocess.PIPE, stderr=stderr_file, env=environment)
    assert proc.stdout is not None
    line = _read_line(proc, START_SECONDS)
    if not line.startswith(READY_PREFIX):
        proc.kill()
        proc.wait()
        raise AssertionError(f"no ready line: {line!r}; stderr: "
                             f"{stderr_path.read_text(errors='replace')}")
    host, _, port = line.removeprefix(READY_PREFIX).rpartition(":")
    return Served(proc, host, int(port), db, line, stderr_path)


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        if not selector.select(max(0.0, deadline - time.monotonic())):
            break
        chunk = os.read(proc.stdout.fileno(), 1)
        if not chunk:
            break
        line += chunk
    selector.close()
    return line.decode("utf-8").rstrip("\n")


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on the port (closed connections' TIME_WAIT aside)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


def typed_client(served: Served, keys: Keys, **config: Any) -> Client:
    """The official SDK's typed client, signing with ACS3-HMAC-SHA256 unless told otherwise."""
    return Client(Config(access_key_id=keys.access_key_id, access_key_secret=keys.secret,
                         security_token=keys.token or None, endpoint=served.endpoint,
                         protocol="http", region_id="cn-hangzhou", **config))


def classic_client(served: Served, keys: Keys) -> AcsClient:
    """aliyun-python-sdk-core's client (HMAC-SHA1, signature version 1.0)."""
    client = AcsClient(keys.access_key_id, keys.secret, "cn-hangzhou", port=served.port,
                       auto_retry=False)
    return client


def cli_json(db: Path, *args: str) -> Any:
    result = run_ecsimg(*args, db=db)
    assert result.status == 0, result.err
    return json.loads(result.out)
