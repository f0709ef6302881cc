"""A child process in a pseudo-terminal of a fixed size: read its output, type keys, kill it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from types import TracebackType

ANSI_ESCAPE = re.compile(rb"\x1b(?:\[[0-9;?<>=$ ]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
"""CSI, OSC and two-byte escapes: stripped so text split by styles can still be matched."""


class PtySession:
    """``argv`` running in a pty of ``columns`` x ``lines``; always killed on exit."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], *, columns: int = 120,
                 lines: int = 40) -> None:
        master_fd, slave_fd = os.openpty()
        fcntl.ioctl(slave_fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.master_fd = master_fd
        self.spawned_at = time.perf_counter()
        self.settled_at = self.spawned_at
        try:
            # A new session makes the pty its controlling terminal and lets us kill the group.
            self.process = subprocess.Popen(
                list(argv), stdin=slave_fd, stdout=slave_fd, stderr=slave_fd, env=env,
                start_new_session=True, close_fds=True)
        except BaseException:
            os.close(master_fd)
            raise
        finally:
            os.close(slave_fd)
        self.output = bytearray()
        """Everything the child wrote so far."""

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.kill()

    @property
    def pid(self) -> int:
        return self.process.pid

    def read_for(self, seconds: float) -> bytes:
        """Whatever the child writes during the next ``seconds``."""
        chunks: list[bytes] = []
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            chunk = self._read(left)
            if chunk is None:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def read_until_quiet(self, quiet_seconds: float, *, at_least: float = 0.0,
                         at_most: float = 10.0) -> bytes:
        """Read for ``at_least`` seconds, then until nothing came for ``quiet_seconds``."""
        chunks: list[bytes] = []
        started = time.perf_counter()
        last_output = started
        while True:
            now = time.perf_counter()
            if now - started >= at_most:
                break
            if now - started >= at_least and now - last_output >= quiet_seconds:
                break
            chunk = self._read(min(0.02, at_most - (now - started)))
            if chunk is None:
                break
            if chunk:
                chunks.append(chunk)
                last_output = time.perf_counter()
        return b"".join(chunks)

    def wait_for(self, pattern: re.Pattern[bytes], timeout: float, *,
                 shown: bool = False, replaced_by: re.Pattern[bytes] | None = None,
                 ) -> float | None:
        """Seconds from spawn until ``pattern`` shows in the text output, None on timeout;
        ``shown``: what was read already counts (found there: now), unless ``replaced_by``
        was drawn after it (the same place showing something else since). A small
        catalogue's first frame holds the whole list, its header drawn before the first row."""
        deadline = time.perf_counter() + timeout
        if shown:
            text = ANSI_ESCAPE.sub(b"", bytes(self.output))
            ends = [found.end() for found in pattern.finditer(text)]
            if ends and (replaced_by is None or replaced_by.search(text, ends[-1]) is None):
                return time.perf_counter() - self.spawned_at
        tail = bytes(self.output[-512:]) if shown else b""
        if replaced_by is not None:  # what was replaced is not to be found again
            ends = [replaced.end() for replaced in replaced_by.finditer(tail)]
            tail = tail[ends[-1]:] if ends else tail
        while (left := deadline - time.perf_counter()) > 0:
            chunk = self._read(min(left, 0.05))
            if chunk is None:
                return None
            if not chunk:
                continue
            # Keep a tail so a match split across two reads is still found.
            text = ANSI_ESCAPE.sub(b"", tail + chunk)
            if pattern.search(text):
                return time.perf_counter() - self.spawned_at
            tail = (tail + chunk)[-512:]
        return None

    def send(self, data: bytes) -> None:
        os.write(self.master_fd, data)

    def alive(self) -> bool:
        return self.process.poll() is None

    def cpu_seconds(self) -> float:
        """User plus system CPU time the child used so far."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
            # Fields after the command name, which may itself hold spaces and parentheses.
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self, quiet_seconds: float, at_most: float, busy_share: float = 0.05) -> bool:
        """Read until the child wrote nothing and used under ``busy_share`` of a CPU for
        ``quiet_seconds``; False if that did not happen within ``at_most`` seconds.
        ``settled_at`` is then when it was last busy (the end of the last busy slice of
        0.25 s), not the end of the quiet wait."""
        started = last_busy = time.perf_counter()
        self.settled_at = started
        cpu_before = self.cpu_seconds()
        while (now := time.perf_counter()) - started < at_most:
            slice_start = now
            wrote = self.read_for(0.25)
            now = time.perf_counter()
            cpu_now = self.cpu_seconds()
            if wrote or cpu_now - cpu_before > busy_share * (now - slice_start):
                last_busy = now
            cpu_before = cpu_now
            if now - last_busy >= quiet_seconds:
                self.settled_at = last_busy
                return True
        return False

    def memory_kib(self) -> dict[str, int]:
        """VmRSS and VmHWM of the child from /proc, in KiB."""
        found: dict[str, int] = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    found[name] = int(value.split()[0])
        return found

    def _read(self, timeout: float) -> bytes | None:
        """One read, b"" when nothing came within ``timeout``, None once the child is gone."""
        ready, _, _ = select.select([self.master_fd], [], [], max(timeout, 0.0))
        if not ready:
            return b"" if self.alive() else None
        try:
            chunk = os.read(self.master_fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return None
        if not chunk:
            return None
        self.output += chunk
        return chunk

    def kill(self) -> None:
        """Kill the child's process group (only ours: it was started in its own session)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.master_fd >= 0:
            os.close(self.master_fd)
            self.master_fd = -1

    def tail_text(self, size: int = 400) -> str:
        """The end of the output as plain text, for error messages."""
        text = ANSI_ESCAPE.sub(b"", bytes(self.output[-4000:]))
        return text.decode("utf-8", "replace")[-size:]
