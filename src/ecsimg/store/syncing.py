"""fsyncs and renames issued together, on this process's sync threads.

One after another, each fsync waits for its own commit of the filesystem's journal; issued
together they can share one. A group commit writes about thirty files.
"""

from __future__ import annotations

import _thread
import functools
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ecsimg.store.files import NOFOLLOW, fsync_folder, install

_SYNC_WORKERS = 24
"""At most this many fsyncs (or renames) at once: a group commit of eight writes syncs and
renames about thirty files; threads are started only as a commit needs them."""


class _SyncThreads:
    """This process's fsync threads, made once: a thread made per commit is collected per
    commit, and a signal landing in that collection is swallowed instead of raised. (Not
    concurrent.futures: importing it, and logging with it, cost a command 15 ms.)"""

    def __init__(self, workers: int) -> None:
        self._tasks: queue.SimpleQueue[tuple[int, Callable[[], None], _Results]] = (
            queue.SimpleQueue())
        self._workers = workers
        self._started = 0

    def _start(self, wanted: int) -> None:
        """Start threads up to ``wanted`` (at most ``workers``): without waiting for each to
        run, as ``threading.Thread.start`` does, a few ms each on a busy machine."""
        with _threads_lock:
            while self._started < min(wanted, self._workers):
                _thread.start_new_thread(self._work, ())
                self._started += 1

    def _work(self) -> None:
        while True:
            at, call, results = self._tasks.get()
            try:
                call()
            except BaseException as err:
                results.put((at, err))
            else:
                results.put((at, None))

    def run_all(self, calls: Sequence[Callable[[], None]]) -> list[BaseException | None]:
        """Run ``calls`` at once; what each raised (None if nothing), once all have ended."""
        results: _Results = queue.SimpleQueue()
        self._start(len(calls))
        for at, call in enumerate(calls):
            self._tasks.put((at, call, results))
        raised: list[BaseException | None] = [None] * len(calls)
        for _ in calls:
            at, err = results.get()
            raised[at] = err
        return raised


_Results = queue.SimpleQueue[tuple[int, "BaseException | None"]]
_threads: _SyncThreads | None = None
_threads_lock = threading.Lock()


def _sync_threads() -> _SyncThreads:
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = _SyncThreads(_SYNC_WORKERS)
        return _threads


def _forget_threads() -> None:
    # A child made by fork has none of its parent's threads (nor a lock one of them held).
    global _threads, _threads_lock
    _threads, _threads_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_threads)


def _fsync_path(path: Path, folder: bool) -> None:
    if folder:
        fsync_folder(path)
        return
    fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_at_once(paths: Sequence[Path], *, folders: bool = False) -> None:
    """fsync every file (or, with ``folders``, every folder) of ``paths`` concurrently and
    return once all of them are durable; the first OSError is raised after all have ended.

    See the module's docstring for why.
    """
    if len(paths) <= 1:
        for path in paths:
            _fsync_path(path, folders)
        return
    raised = _sync_threads().run_all([functools.partial(_fsync_path, path, folders)
                                      for path in paths])
    errors = [err for err in raised if err is not None]
    if errors:
        raise errors[0]


def install_at_once(pairs: Sequence[tuple[Path, Path]]) -> None:
    """``install`` each (temporary, final) pair, not durably, concurrently; the first
    OSError is raised after all have ended. A rename waits while the filesystem's journal
    commits another writer's fsync; issued together, the renames share those waits."""
    if len(pairs) <= 1:
        for tmp, path in pairs:
            install(tmp, path, durable=False)
        return
    raised = _sync_threads().run_all([functools.partial(install, tmp, path, durable=False)
                                      for tmp, path in pairs])
    errors = [err for err in raised if err is not None]
    if errors:
        raise errors[0]

