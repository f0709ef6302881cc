"""The TinyDB repository: sharded TinyDB files, written atomically, under a redo journal.

Layout of a catalogue folder::

    meta.json              format, schema version, commit generation
    <table>/<shard>.json   one TinyDB database per shard, holding table <table>
    journal.json           a committed transaction not yet applied to every shard
    .lock                  the cross-process writer lock

A commit writes the journal (temporary file, fsync, rename: the commit point), then each
touched shard the same way, then meta.json, then removes the journal. A crash at any moment
leaves either no journal (the old or the new state, whole) or a complete journal that the next
opener replays. Only changed shards are rewritten, so a write costs what one shard costs.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import orjson
from filelock import FileLock, Timeout
from tinydb.table import Document

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import migrations
from ecsimg.store.files import ShardStorage, atomic_write, open_shard, read_json, stamp_of
from ecsimg.store.memory import LazyRecord, LoadedTable, collector_paused
from ecsimg.store.tables import TABLES_BY_NAME, Table

T = TypeVar("T")

FORMAT = "ecsimg-catalogue"
LOCK_TIMEOUT_SECONDS = 30.0
Progress = Callable[[int, int, "_View"], None]


class TinyRepository:
    """A catalogue folder of TinyDB shards; thread-safe and safe across processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise CatalogueError(
                f"{self.root}: is a file, not an ecsimg catalogue folder; refusing to use it"
            )
        self._thread_lock = threading.RLock()
        self._file_lock: FileLock | None = None
        self._loaded: dict[str, LoadedTable] = {}
        self._generation = -1
        self._checked = False

    # -- the Repository protocol -------------------------------------------------------------

    @property
    def location(self) -> Path:
        return self.root

    def is_empty(self) -> bool:
        return not (self.root / "meta.json").exists()

    @contextmanager
    def read(self) -> Iterator[_View]:
        with self._thread_lock:
            with self._locked():
                self._sync()
            yield _View(self)

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        with self._thread_lock, self._locked():
            self._sync()
            tx = _Tx(self)
            yield tx
            if tx.ops:
                self._commit(tx)

    def preload(self, table: Table[Any], progress: Progress | None = None) -> None:
        """Load ``table`` shard by shard, calling ``progress(done, total, view)`` after each.

        The view shows the part loaded so far, so a caller can show the first rows of a large
        table while the rest is read. Nothing happens if the table is loaded already.
        """
        with self._thread_lock, self._locked():
            self._sync()
            loaded = self._loaded_table(table)
            if loaded.complete:
                return
            folder = self._table_dir(table)
            shards = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
            with collector_paused():
                for done, shard in enumerate(shards, 1):
                    if shard not in loaded.known:
                        # Decoded as it goes: a caller that preloads reads every record, and
                        # decoding shard by shard frees each shard's documents at once.
                        self._reload_shard(loaded, shard, decode=True)
                    if progress is not None and done < len(shards):
                        progress(done, len(shards), _View(self, {table.name: loaded}))
            loaded.complete = True

    def field_values(self, table: Table[Any], field: str, keys: Iterable[str]) -> dict[str, Any]:
        """One field of the records under ``keys`` (None for a missing record), read a shard
        at a time without keeping the shards it had not loaded: 140,000 snapshot sizes cost a
        dictionary, not 140,000 records."""
        wanted: dict[str, list[str]] = {}
        for key in keys:
            wanted.setdefault(table.shard_of(key), []).append(key)
        default = table.codec.defaults.get(field)
        found: dict[str, Any] = {}
        with self._thread_lock, self._locked():
            self._sync()
            loaded = self._loaded.get(table.name)
            for shard, shard_keys in wanted.items():
                if loaded is not None and (loaded.complete or shard in loaded.known):
                    for key in shard_keys:
                        value = loaded.records.get(key)
                        if value is None:
                            found[key] = None
                        elif type(value) is dict:
                            found[key] = value.get(field, default)
                        else:
                            found[key] = getattr(value, field)
                    continue
                path = self._shard_path(table, shard)
                docs = read_json(path).get(table.name, {}) if path.exists() else {}
                for key in shard_keys:
                    doc = docs.get(key)
                    found[key] = doc.get(field, default) if isinstance(doc, dict) else None
        return found

    def refresh(self) -> bool:
        with self._thread_lock, self._locked():
            before = self._generation
            self._sync()
            return self._generation != before

    def close(self) -> None:
        with self._thread_lock:
            self._loaded.clear()

    @property
    def generation(self) -> int:
        return self._generation

    # -- opening, checking, locking ----------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._file_lock is None:
            self._file_lock = FileLock(str(self.root / ".lock"), thread_local=False)
        try:
            self._file_lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        except Timeout:
            raise CatalogueError(
                f"{self.root / '.lock'}: another ecsimg process has held the catalogue lock "
                f"for {LOCK_TIMEOUT_SECONDS:.0f} s; try again"
            ) from None
        try:
            yield
        finally:
            self._file_lock.release()

    def _read_meta(self) -> dict[str, Any]:
        meta_path = self.root / "meta.json"
        if not meta_path.exists():
            strays = [p.name for p in self.root.iterdir() if not p.name.startswith(".")]
            if strays:
                raise CatalogueError(
                    f"{self.root}: not an ecsimg catalogue (no meta.json, but it holds "
                    f"{', '.join(sorted(strays)[:3])}); refusing to use it"
                )
            return {"format": FORMAT, "schema": migrations.SCHEMA_VERSION, "generation": 0}
        meta = read_json(meta_path)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise CatalogueError(f"{meta_path}: not an ecsimg catalogue (format is not {FORMAT!r})")
        schema = meta.get("schema")
        if not isinstance(schema, int) or not isinstance(meta.get("generation"), int):
            raise CatalogueError(f"{meta_path}: schema or generation missing or not a number")
        if schema > migrations.SCHEMA_VERSION:
            raise CatalogueError(
                f"{meta_path}: written by a newer ecsimg (schema {schema}; this version reads "
                f"up to {migrations.SCHEMA_VERSION}); refusing to change it"
            )
        return meta

    def _sync(self) -> None:
        """Under the file lock: check, recover, migrate, and reload what others changed.

        The journal is looked for on every call, not only at opening: another process may have
        died mid-commit while this one was running, and its half-applied shards must be
        completed before anything here reads them or writes a journal of its own.
        """
        meta = self._read_meta()
        journal = self.root / "journal.json"
        if journal.exists():
            self._replay(journal)
            meta = self._read_meta()
        if not self._checked:
            if meta["schema"] < migrations.SCHEMA_VERSION:
                migrations.migrate(self.root, meta["schema"])
                meta = self._read_meta()
            self._checked = True
        generation = int(meta["generation"])
        if generation == self._generation:
            return
        for loaded in self._loaded.values():
            self._reload_changed(loaded)
        self._generation = generation

    def _table_dir(self, table: Table[Any]) -> Path:
        return self.root / table.name

    def _shard_path(self, table: Table[Any], shard: str) -> Path:
        return self._table_dir(table) / f"{shard}.json"

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
            folder = self._table_dir(table)
            shards |= {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()
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
        if stamp is None:
            return
        data = read_json(path)
        docs = data.get(table.name, {}) if isinstance(data, dict) else None
        if not isinstance(docs, dict):
            raise CatalogueError(f"{path}: table {table.name!r} is missing or malformed")
        for key, doc in docs.items():
            if type(doc) is not dict:
                raise CatalogueError(f"{path}: record {key!r} is not an object")
        if decode:
            with collector_paused():
                docs = {key: loaded.decode_one(key, doc) for key, doc in docs.items()}
        loaded.bulk_set(shard, docs)
        loaded.stamps[shard] = stamp

    # -- committing --------------------------------------------------------------------------

    def _commit(self, tx: _Tx) -> None:
        generation = self._generation + 1
        ops = [[name, key, doc] for (name, key), doc in tx.ops.items()]
        body = orjson.dumps({"generation": generation, "ops": ops})
        journal = self.root / "journal.json"
        atomic_write(journal, orjson.dumps({"crc": zlib.crc32(body), "body": body.decode()}))
        self._apply(ops, generation)
        journal.unlink()
        for (name, key), obj in tx.objects.items():
            loaded = self._loaded.get(name)
            if loaded is None or not self._in_memory(loaded, key):
                continue
            if obj is None:
                loaded.remove(key)
            else:
                loaded.set(key, obj)
        for name, loaded in self._loaded.items():
            table = TABLES_BY_NAME[name]
            for shard in {table.shard_of(key) for (n, key) in tx.ops if n == name}:
                if not (loaded.complete or shard in loaded.known):
                    continue
                stamp = stamp_of(self._shard_path(table, shard))
                if stamp is None:
                    loaded.stamps.pop(shard, None)
                else:
                    loaded.stamps[shard] = stamp
        self._generation = generation

    @staticmethod
    def _in_memory(loaded: LoadedTable, key: str) -> bool:
        return loaded.complete or loaded.table.shard_of(key) in loaded.known

    def _apply(self, ops: list[list[Any]], generation: int) -> None:
        """Write the ops into their shards with TinyDB, then flush every touched shard atomically.

        Each shard's table is updated once for all its ops: TinyDB copies a whole table on
        every insert or remove, so op-by-op updates cost quadratic time on large commits.
        """
        changes: dict[Path, dict[str, dict[str, Any]]] = {}
        for name, key, doc in ops:
            table = TABLES_BY_NAME[name]
            path = self._shard_path(table, table.shard_of(key))
            changes.setdefault(path, {}).setdefault(name, {})[key] = doc
        for path, by_table in changes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            db = open_shard(path)
            for name, docs in by_table.items():
                tiny = db.table(name)
                tiny.remove(doc_ids=list(docs))  # type: ignore[arg-type]  # str document IDs
                tiny.insert_multiple(
                    Document(doc, doc_id=key)  # type: ignore[arg-type]
                    for key, doc in docs.items()
                    if doc is not None
                )
            storage = db.storage
            assert isinstance(storage, ShardStorage)
            storage.flush()
        meta = {"format": FORMAT, "schema": migrations.SCHEMA_VERSION, "generation": generation}
        atomic_write(self.root / "meta.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))

    def _replay(self, journal: Path) -> None:
        """Finish a commit a crash interrupted; a journal that fails its checksum was never
        committed (the rename is the commit point), so it is dropped."""
        try:
            outer = orjson.loads(journal.read_bytes())
            body = outer["body"].encode()
            if zlib.crc32(body) != outer["crc"]:
                raise ValueError("checksum mismatch")
            record = orjson.loads(body)
            ops, generation = record["ops"], int(record["generation"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            journal.rename(journal.with_name("journal.rejected.json"))
            return
        self._apply(ops, generation)
        journal.unlink()


class _View:
    def __init__(self, repo: TinyRepository, partial: dict[str, LoadedTable] | None = None) -> None:
        self._repo = repo
        self._partial = partial or {}

    def _table(self, table: Table[Any]) -> LoadedTable:
        return self._partial.get(table.name) or self._repo._load(table)

    def get(self, table: Table[T], key: str) -> T | None:
        source = self._partial.get(table.name) or self._repo._load_key(table, key)
        obj: T | None = source.decoded(key)
        return obj

    def all(self, table: Table[T]) -> list[T]:
        loaded = self._table(table)
        return loaded.decode_all(loaded.records)

    def group(self, table: Table[T], group: str) -> list[T]:
        loaded = self._table(table)
        return loaded.decode_all(loaded.groups.get(group, {}))

    def iter_group(self, table: Table[T], group: str) -> Iterator[T]:
        return iter(self.group(table, group))

    def scan(self, table: Table[T], group: str) -> list[T]:
        """The group's records for reading fields only: records not decoded yet come as
        stand-ins that decode one field at a time. Use ``get`` for the record itself."""
        loaded = self._table(table)
        codec = table.codec
        with collector_paused():
            return [
                LazyRecord(key, value, codec) if type(value) is dict else value  # type: ignore[misc]
                for key, value in loaded.groups.get(group, {}).items()
            ]


class _Tx(_View):
    """Reads see this transaction's own writes; nothing reaches disk until it ends cleanly."""

    def __init__(self, repo: TinyRepository) -> None:
        super().__init__(repo)
        self.ops: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.objects: dict[tuple[str, str], Any] = {}

    def put(self, table: Table[T], obj: T) -> None:
        key = table.key(obj)
        self.ops[(table.name, key)] = table.codec.encode(obj)
        self.objects[(table.name, key)] = obj

    def delete(self, table: Table[T], key: str) -> None:
        self.ops[(table.name, key)] = None
        self.objects[(table.name, key)] = None

    def get(self, table: Table[T], key: str) -> T | None:
        if (table.name, key) in self.objects:
            obj: T | None = self.objects[(table.name, key)]
            return obj
        return super().get(table, key)

    def _overlay(self, table: Table[T], base: list[T], group: str | None) -> list[T]:
        changed = {k: o for (n, k), o in self.objects.items() if n == table.name}
        if not changed:
            return base
        merged = {table.key(obj): obj for obj in base}
        for key, obj in changed.items():
            if obj is None or (
                group is not None and table.group is not None and table.group(key) != group
            ):
                merged.pop(key, None)
            else:
                merged[key] = obj
        return list(merged.values())

    def all(self, table: Table[T]) -> list[T]:
        return self._overlay(table, super().all(table), None)

    def group(self, table: Table[T], group: str) -> list[T]:
        return self._overlay(table, super().group(table, group), group)

    def scan(self, table: Table[T], group: str) -> list[T]:
        if any(n == table.name for n, _ in self.objects):
            return self.group(table, group)
        return super().scan(table, group)
