"""The catalogue lock: shared for readers, exclusive for writers, usable without write access.

The lock file is opened read-only (``flock`` does not need a writable descriptor), so a reader
works on a read-only filesystem or as a user who may read but not write the folder. Where the
lock file does not exist and cannot be created, this process reads without it (a commit it
tries fails before anything is visible); a writer that can write creates the lock first, so
such a reader only meets writers that started before the lock existed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from ecsimg.domain.errors import CatalogueError
from ecsimg.store.files import describe_os_error

POLL_SECONDS = 0.01
_READ_ONLY_ERRORS = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT)


class CatalogueLock:
    """A re-entrant flock on ``<folder>/.lock``; one per repository, used under its RLock."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._exclusive = False

    def acquire(self, exclusive: bool) -> None:
        if self._depth and (self._exclusive or not exclusive):
            self._depth += 1
            return
        if self._depth == 0:
            while True:
                self._fd = self._open(exclusive)
                if self._fd is None:
                    break
                self._flock(self._fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
                if self._still_in_place(self._fd):
                    break
                # The folder was swapped (seed --force, a migration) while we waited: the
                # lock we got guards the old one; take the new folder's.
                os.close(self._fd)
        elif self._fd is not None:
            self._flock(self._fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        self._exclusive = exclusive
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def _still_in_place(self, fd: int) -> bool:
        try:
            return os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except OSError:
            return False

    def _open(self, exclusive: bool) -> int | None:
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            return os.open(self.path, flags | os.O_CREAT, 0o644)
        except OSError as err:
            if err.errno not in _READ_ONLY_ERRORS:
                raise CatalogueError(f"{self.path}: cannot open the lock "
                                     f"({describe_os_error(err)})") from None
        try:
            return os.open(self.path, flags)
        except FileNotFoundError:
            # Nobody could create the lock: this process cannot write here either (a commit
            # fails before anything is visible), so it reads without one.
            return None
        except OSError as err:
            raise CatalogueError(f"{self.path}: cannot open the lock "
                                 f"({describe_os_error(err)})") from None

    def _flock(self, fd: int, operation: int) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, operation | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(POLL_SECONDS)
        if self._depth == 0:
            os.close(fd)
            self._fd = None
        raise CatalogueError(
            f"{self.path}: another ecsimg process has held the catalogue lock for "
            f"{self.timeout:.0f} s; try again")
