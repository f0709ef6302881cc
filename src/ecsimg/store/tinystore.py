"""The TinyDB repository: sharded TinyDB files, written atomically, under a redo journal.

Layout of a catalogue folder::

    meta.json              format, schema, catalogue id, commit generation, shards written
    <table>/<shard>.json   one TinyDB database per shard, holding table <table>
    journal.json           a committed transaction not yet applied to every shard
    .lock                  the cross-process lock (shared for readers, exclusive for writers)

A commit writes every changed file to a temporary file first, then renames the journal into
place (the commit point), then the rest (see ``journal``). A reader sees the state of the last
commit: a journal another process left is applied in memory when it cannot be applied on disk
(read-only filesystem, no permission, disk full). Only changed shards are rewritten, so a write
costs what one shard costs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import catalogue_meta, indexes, journal, migrations, projections, swap
from ecsimg.store.batching import Batcher
from ecsimg.store.catalogue_meta import FORMAT as FORMAT
from ecsimg.store.committing import Committing
from ecsimg.store.files import (
    Stamp,
    check_folder,
    describe_os_error,
    read_json,
    remove_temps,
    stamp_of,
)
from ecsimg.store.indexes import Listing
from ecsimg.store.lock import CatalogueLock
from ecsimg.store.memory import LoadedTable, collector_paused
from ecsimg.store.projections import Projecting
from ecsimg.store.tables import ALL_TABLES, INDEX_TABLES, Table
from ecsimg.store.views import _Tx, _View

T = TypeVar("T")

LOCK_TIMEOUT_SECONDS = 30.0
Progress = Callable[[int, int, "_View"], None]


class TinyRepository(Committing, Projecting):
    """A catalogue folder of TinyDB shards; thread-safe and safe across processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        check_folder(self.root)
        self._thread_lock = threading.RLock()
        self._lock = CatalogueLock(self.root / ".lock", LOCK_TIMEOUT_SECONDS)
        self._batcher = Batcher(self._thread_lock, self._begin_batch, self._commit,
                                self._lock.release)
        self._loaded: dict[str, LoadedTable] = {}
        self._generation = -1
        self._catalogue_id = ""
        self._meta: dict[str, Any] = {}
        self._meta_stamp: object = None
        self._pending: dict[str, dict[str, dict[str, Any] | None]] = {}
        """A journal that could not be applied on disk, applied in memory: table -> key -> doc."""
        self._checked = False
        self._swept = False
        self._replay_error = ""
        self._listing_cache: dict[str, tuple[Any, Listing]] = {}
        self._row_cache: dict[str, tuple[Stamp, list[Any]]] = {}
        self._span_cache: dict[str, tuple[Stamp, indexes.SpanLookup]] = {}
        self._part_cache: dict[str, tuple[Stamp, indexes.RowsPart]] = {}
        self._described_cache: dict[str, tuple[Stamp, tuple[int, ...] | None]] = {}
        self.keep_projections = True
        """Write kept projections (``project`` with a cache name); existing ones are read
        either way."""

    # -- the Repository protocol -------------------------------------------------------------

    @property
    def location(self) -> Path:
        return self.root

    def is_empty(self) -> bool:
        check_folder(self.root)
        return stamp_of(self.root / journal.META) is None and stamp_of(
            self.root / journal.JOURNAL) is None

    @contextmanager
    def read(self) -> Iterator[_View]:
        """A consistent read: the shared lock is held until the block ends, so the shards the
        view reads lazily are those of the commit it started on, never a later one."""
        with self._thread_lock, self._locked(exclusive=False):
            self._sync(writing=False)
            yield _View(self)

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """A write, committed with those of other threads ready at the same time (see
        ``batching``); it returns once its commit is durable."""
        if self._batcher.inside():
            # Nested in a batched transaction of this thread: committed on its own, as the
            # member's writes are not committed yet.
            with self._thread_lock, self._locked(exclusive=True):
                self._sync(writing=True)
                tx = _Tx(self)
                yield tx
                if tx.ops or tx.packed:
                    self._commit(tx)
            return
        batch, member = self._batcher.join()
        try:
            yield member
        except BaseException:
            self._batcher.leave(batch, member, failed=True)
            raise
        self._batcher.leave(batch, member, failed=False)

    def _begin_batch(self) -> _Tx:
        """Under the thread lock: the catalogue lock taken for a batch, and its transaction."""
        self._lock_for_writing()
        try:
            self._sync(writing=True)
        except BaseException:
            self._lock.release()
            raise
        return _Tx(self)

    def preload(self, table: Table[Any], progress: Progress | None = None) -> None:
        """Load ``table`` shard by shard, calling ``progress(done, total, view)`` after each.

        The view shows the part loaded so far, so a caller can show the first rows of a large
        table while the rest is read. Nothing happens if the table is loaded already.
        """
        with self._thread_lock, self._locked(exclusive=False):
            self._sync(writing=False)
            loaded = self._loaded_table(table)
            if loaded.complete:
                return
            shards = sorted(self._shards_on_disk(table))
            with collector_paused():
                for done, shard in enumerate(shards, 1):
                    if shard not in loaded.known:
                        # Decoded as it goes: a caller that preloads reads every record, and
                        # decoding shard by shard frees each shard's documents at once.
                        self._reload_shard(loaded, shard, decode=True)
                    if progress is not None and done < len(shards):
                        progress(done, len(shards), _View(self, {table.name: loaded}))
            loaded.complete = True

    def refresh(self) -> bool:
        with self._thread_lock, self._locked(exclusive=False):
            before = (self._catalogue_id, self._generation, self._meta_stamp)
            self._sync(writing=False)
            return (self._catalogue_id, self._generation, self._meta_stamp) != before

    def close(self) -> None:
        with self._thread_lock:
            self._loaded.clear()

    def replace_with(self, built: Path, *, replace: bool) -> bool:
        """Swap the catalogue folder ``built`` (see ``swap``) in for this one, under the lock.

        Without ``replace`` only an empty catalogue is replaced (False if another process
        created one meanwhile: the build is left for the caller to discard); with it, only an
        ecsimg catalogue or an empty folder, never a foreign folder.
        """
        with self._thread_lock:
            while self._batcher.open:  # its writes belong to the catalogue in place
                self._batcher.closed.wait()
            with self._locked(exclusive=True):
                return self._swap_in(built, replace=replace)

    def _swap_in(self, built: Path, *, replace: bool) -> bool:
        if not self.is_empty() and not replace:
            return False
        self._read_meta()  # refuses a folder that is not an ecsimg catalogue
        swap.swap_in(built, self.root)
        self._loaded.clear()
        self._generation = -1
        self._catalogue_id = ""
        self._meta = {}
        self._meta_stamp = None
        self._pending = {}
        self._listing_cache.clear()
        self._row_cache.clear()
        self._span_cache.clear()
        self._part_cache.clear()
        self._described_cache.clear()
        self._checked = self._swept = False
        return True

    @property
    def generation(self) -> int:
        return self._generation

    # -- opening, checking, locking ----------------------------------------------------------

    @contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        if exclusive:
            self._lock_for_writing()
        else:
            check_folder(self.root)
            if not self.root.exists():
                yield  # nothing to read and nothing to lock: an empty catalogue
                return
            self._lock.acquire(exclusive)
        try:
            yield
        finally:
            self._lock.release()

    def _lock_for_writing(self) -> None:
        """Take the exclusive lock, making the folder first; the caller releases it."""
        check_folder(self.root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CatalogueError(
                f"{self.root}: cannot create the catalogue folder "
                f"({describe_os_error(err)})") from None
        self._lock.acquire(exclusive=True)

    def _read_meta(self) -> dict[str, Any]:
        return catalogue_meta.read_meta(self.root)

    def _sync(self, writing: bool) -> None:
        """Under the lock: check, recover, migrate, and reload what others changed.

        The journal is looked for on every call, not only at opening: another process may have
        died mid-commit while this one was running, and its half-applied shards must be
        completed (or, where this process cannot write, read through it) before anything here
        reads them or writes a journal of its own.
        """
        meta = self._read_meta()
        pending: dict[str, dict[str, dict[str, Any] | None]] = {}
        journal_path = self.root / journal.JOURNAL
        if stamp_of(journal_path) is not None:
            generation, batches = journal.read_batches(journal_path)
            if writing and self._replay(batches, generation, meta):
                meta = self._read_meta()
            else:
                for ops in journal.read_batches(journal_path)[1]:
                    for name, key, doc in ops:
                        pending.setdefault(name, {})[key] = doc
                meta = {**meta, "generation": max(meta["generation"], generation)}
        if writing and not self._swept:
            self._sweep()
        if not self._checked:
            if meta["schema"] < migrations.SCHEMA_VERSION:
                self._lock.acquire(exclusive=True)  # a reader upgrades its shared lock
                try:
                    migrations.migrate(self.root, meta["schema"])
                finally:
                    self._lock.release()
                meta = self._read_meta()
            self._checked = True
        self._meta = meta
        catalogue_id = str(meta.get("catalogue_id", ""))
        if catalogue_id and self._catalogue_id and catalogue_id != self._catalogue_id:
            self._loaded.clear()  # another catalogue was put in this one's place
        stamp = (stamp_of(self.root / journal.META), meta["generation"], bool(pending))
        if stamp == self._meta_stamp and pending == self._pending:
            return
        if pending != self._pending:
            for loaded in self._loaded.values():
                loaded.stamps.clear()
            self._pending = pending
        for loaded in self._loaded.values():
            self._reload_changed(loaded)
        self._meta_stamp = stamp
        self._catalogue_id = catalogue_id or self._catalogue_id
        # Never backwards: a meta.json restored from a copy must not make the next commit
        # reuse a generation a running process has already seen.
        self._generation = max(int(meta["generation"]), self._generation)

    def _sweep(self) -> None:
        """Remove temporary files of writers that crashed or failed (we hold the lock)."""
        remove_temps(self.root)
        for name in (*(t.name for t in (*ALL_TABLES, *INDEX_TABLES)), indexes.SPANS):
            folder = self.root / name
            if folder.is_dir() and not folder.is_symlink():
                remove_temps(folder)
        projections.remove_temps_of_readers(self.root)
        self._swept = True

    def _table_dir(self, table: Table[Any]) -> Path:
        return self.root / table.name

    def _shard_path(self, table: Table[Any], shard: str) -> Path:
        return self._table_dir(table) / f"{shard}.json"

    def _shards_on_disk(self, table: Table[Any]) -> set[str]:
        folder = self._table_dir(table)
        check_folder(folder)
        found = {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()
        found |= {table.shard_of(key) for key in self._pending.get(table.name, {})}
        return found | set(self._meta.get("shards", {}).get(table.name, ()))

    def _read_shard(self, table: Table[Any], shard: str) -> dict[str, Any]:
        """A shard's documents as the last commit left them (pending journal included)."""
        path = self._shard_path(table, shard)
        if stamp_of(path) is None:
            self._check_not_lost(table, shard, path)
            docs: dict[str, Any] = {}
        else:
            data = read_json(path)
            found = data.get(table.name, {}) if isinstance(data, dict) else None
            if not isinstance(found, dict):
                raise CatalogueError(f"{path}: table {table.name!r} is missing or malformed")
            docs = found
        pending = self._pending.get(table.name)
        if pending:
            for key, doc in pending.items():
                if table.shard_of(key) != shard:
                    continue
                if doc is None:
                    docs.pop(key, None)
                else:
                    docs[key] = dict(doc)
        return docs

    def _check_not_lost(self, table: Table[Any], shard: str, path: Path) -> None:
        if shard in self._meta.get("shards", {}).get(table.name, ()) and not any(
                table.shard_of(k) == shard for k in self._pending.get(table.name, {})):
            raise CatalogueError(
                f"{path}: missing, but meta.json lists it: its records would vanish; restore "
                "the file (or the catalogue) before using it")

    def _loaded_table(self, table: Table[Any]) -> LoadedTable:
        loaded = self._loaded.get(table.name)
        if loaded is None:
            loaded = self._loaded[table.name] = LoadedTable(
                table, lambda shard: self._shard_path(table, shard)
            )
        return loaded

    def _load(self, table: Table[T]) -> LoadedTable:
        """The whole table in memory."""
        loaded = self._loaded_table(table)
        if not loaded.complete:
            self._reload_changed(loaded, everything=True)
            loaded.complete = True
        return loaded

    def _holds(self, table: Table[Any], key: str) -> bool:
        """Whether the shard of ``key`` is in memory already."""
        loaded = self._loaded.get(table.name)
        return loaded is not None and (loaded.complete or table.shard_of(key) in loaded.known)

    def _load_key(self, table: Table[T], key: str) -> LoadedTable:
        """The table with at least the shard of ``key`` in memory: one lookup of a snapshot
        need not read all 140,000 of them."""
        loaded = self._loaded_table(table)
        shard = table.shard_of(key)
        if not loaded.complete and shard not in loaded.known:
            # Decoded whole: a long-lived process looking up records one by one would
            # otherwise keep every shard it touched as documents, several times larger.
            self._reload_shard(loaded, shard, decode=True)
        return loaded

    def _reload_changed(self, loaded: LoadedTable, everything: bool = False) -> None:
        table = loaded.table
        shards = set(loaded.known)
        if loaded.complete or everything:
            shards |= self._shards_on_disk(table)
        # Decoding allocates a million small objects at 100k images; the cyclic collector
        # would scan them again and again for cycles they cannot have, tripling load time.
        with collector_paused():
            for shard in sorted(shards):
                self._reload_shard(loaded, shard)

    def _reload_shard(self, loaded: LoadedTable, shard: str, decode: bool = False) -> None:
        table = loaded.table
        loaded.known.add(shard)
        path = self._shard_path(table, shard)
        stamp = stamp_of(path)
        if stamp is not None and stamp == loaded.stamps.get(shard):
            return
        for key in list(loaded.shard_keys.get(shard, ())):
            loaded.remove(key)
        loaded.stamps.pop(shard, None)
        docs = self._read_shard(table, shard)
        if not docs and stamp is None:
            return
        for key, doc in docs.items():
            if type(doc) is not dict:
                raise CatalogueError(f"{path}: record {key!r} is not an object")
        if decode:
            with collector_paused():
                docs = {key: loaded.decode_one(key, doc) for key, doc in docs.items()}
        loaded.bulk_set(shard, docs)
        if stamp is not None and not self._pending.get(table.name):
            loaded.stamps[shard] = stamp

