"""Filesystems for fault campaigns: a small tmpfs (to fill), remounted read-only; skipped with
the reason where this machine cannot mount (not root, no CAP_SYS_ADMIN)."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = ".filler"


def _run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(argv), capture_output=True, check=False, timeout=30)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` for the test; skips the test if it cannot."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (run the suite as root, as CI does)")
    path.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        _run("umount", "-l", str(path))


def remount(path: Path, mode: str) -> None:
    """Remount the tmpfs at ``path`` ``ro`` or ``rw``."""
    done = _run("mount", "-o", f"remount,{mode}", str(path))
    assert done.returncode == 0, done.stderr


def fill(path: Path, leave: int) -> None:
    """Fill the filesystem of ``path`` so that ``leave`` bytes stay free (page-rounded)."""
    filler = path / FILLER
    filler.unlink(missing_ok=True)
    block = b"\xa5" * (1 << 16)
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(block)
        except OSError as err:
            if err.errno != errno.ENOSPC:
                raise
        size = handle.tell()
    # Written data occupies whole pages: shrinking by ``leave`` frees that much.
    os.truncate(filler, max(0, (size // 4096) * 4096 - leave))


def free(path: Path) -> None:
    (path / FILLER).unlink(missing_ok=True)


def temp_files(root: Path) -> list[str]:
    """Temporary files left anywhere under ``root``."""
    return sorted(str(p.relative_to(root)) for p in root.rglob(".*.tmp"))
