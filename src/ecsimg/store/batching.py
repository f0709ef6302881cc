"""Group commit: the transactions of one process that are ready together commit together.

A commit costs the same few milliseconds of checks and fsyncs whatever it holds, so when
several threads of one process write at once (``ecsimg serve``'s workers), their
transactions are gathered into a batch and committed in one journal and one round of fsyncs.

The bodies still run one at a time, each on top of the writes of the members before it (a
transaction ``over`` the batch's, see ``views._Tx``), under the catalogue's exclusive lock,
which the batch holds from its first member to its commit. A member that ends while other
threads are queued to write hands the batch on and waits; the last one commits it. Every
member returns (or raises its own error) only once the batch is durable, since what it read
included the writes of the members before it; a member whose body raised adds nothing to the
batch and harms no other member; a commit that fails fails every member that wrote, or that
read the writes of the members before it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ecsimg.domain.errors import CatalogueError
from ecsimg.store.views import _Tx

MAX_MEMBERS = 64
"""At most this many transactions in one batch: the catalogue lock is held from the first
to the commit, and other processes wait that long."""


@dataclass
class Batch:
    """Transactions being gathered into one commit."""

    tx: _Tx
    """The batch's writes so far: every member's that ended cleanly, in order."""
    members: int = 0
    committed: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    """Why the commit failed, if it did."""
    reentrant: bool = False
    """A member's thread held the thread lock before it joined: the batch ends with it."""


class Batcher:
    """The batches of one repository; ``join`` and ``leave`` bracket a transaction's body."""

    def __init__(self, lock: threading.RLock, begin: Callable[[], _Tx],
                 commit: Callable[[_Tx], None], end: Callable[[], None]) -> None:
        self._lock = lock
        """The repository's thread lock: one body (or read) at a time."""
        self._begin = begin
        """Takes the catalogue lock and syncs; the batch's own transaction."""
        self._commit = commit
        self._end = end
        """Releases the catalogue lock."""
        self._queued = 0
        self._queued_lock = threading.Lock()
        self._batch: Batch | None = None
        self._local = threading.local()
        self.closed = threading.Condition(lock)
        """Notified when a batch ends, for what must wait until none is open."""

    @property
    def open(self) -> bool:
        return self._batch is not None

    def inside(self) -> bool:
        """Whether this thread is in the body of a batched transaction."""
        return bool(getattr(self._local, "inside", False))

    def join(self) -> tuple[Batch, _Tx]:
        """Wait for this thread's turn; the batch and this member's transaction."""
        # A thread that holds the lock already (a transaction inside its own read) cannot
        # hand the batch on: nobody else could enter. It commits at once.
        reentrant = _owned(self._lock)
        with self._queued_lock:
            self._queued += 1
        self._lock.acquire()
        with self._queued_lock:
            self._queued -= 1
        try:
            batch = self._batch
            if batch is None:
                batch = self._batch = Batch(self._begin())
        except BaseException:
            self._lock.release()
            raise
        batch.reentrant = batch.reentrant or reentrant
        self._local.inside = True
        self._local.saw_writes = bool(batch.tx.ops or batch.tx.packed)
        return batch, batch.tx.member()

    def leave(self, batch: Batch, tx: _Tx, *, failed: bool) -> None:
        """End this member's body: hand the batch on or commit it, and return once it is
        durable. Raises the commit's error if the member wrote or read writes of the batch,
        unless the body ``failed`` (its own error is raised instead)."""
        self._local.inside = False
        if not failed:
            batch.tx.absorb(tx)
        batch.members += 1
        # What it returns rests on the batch's writes if it made or read any.
        relies = not failed and bool(tx.ops or tx.packed or self._local.saw_writes)
        if self._queued and batch.members < MAX_MEMBERS and not batch.reentrant:
            self._lock.release()
            batch.committed.wait()
        else:
            self._finish(batch)
        if batch.error is not None and relies:
            raise _again(batch.error)

    def _finish(self, batch: Batch) -> None:
        """Commit the batch (under the thread lock, which is then released)."""
        try:
            if batch.tx.ops or batch.tx.packed:
                self._commit(batch.tx)
        except BaseException as err:
            batch.error = err
        finally:
            self._batch = None
            try:
                self._end()
            finally:
                batch.committed.set()
                self.closed.notify_all()
                self._lock.release()


def _owned(lock: threading.RLock) -> bool:
    """Whether this thread holds ``lock`` (the method ``threading.Condition`` relies on)."""
    is_owned: Callable[[], bool] = getattr(lock, "_is_owned")  # noqa: B009  # not in the stubs
    return is_owned()


def _again(err: BaseException) -> BaseException:
    """The commit's error for one more member: each raises its own exception object."""
    if isinstance(err, CatalogueError):
        return CatalogueError(str(err))
    again = CatalogueError(f"the commit failed ({type(err).__name__}: {err})")
    again.__cause__ = err
    return again
