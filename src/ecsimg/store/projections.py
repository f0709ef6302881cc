"""Projections kept beside the catalogue: what a reader extracted from each shard, reused
while that shard's file is unchanged.

A projection (``Repository.project`` with a ``cache`` name) is a pure function of each
stored document: the list's few fields of each image, the size of each snapshot. Reading
them from the shards means parsing every document whole; the projection of a shard is a
fraction of it. So the first reader after a shard changed extracts that shard and writes
``.cache/<name>/<shard>.json`` for the next one:

    {"stamp": [inode, mtime_ns, size], "crc": <crc32 of what follows>}\\n{key: value, ...}

A file is used only when its stamp is that of the shard file as it is now (a commit renames a
new file into place, so any write to the shard makes it stale) and the checksum matches (a
torn or damaged file is ignored); it is never used while a journal left by another process
is pending. It is not part of a commit: nothing is lost when it is stale, damaged or gone, and
it is written by readers, under the shared lock, without fsync, renamed into place whole. A
folder that cannot be written (a read-only catalogue, a link where ``.cache`` should be) means
no cache, never an error. The folders of projections no version reads any more (``RETIRED``)
are removed by the first reader in a process that may write projections.

A derivation (``Repository.project_derived``) goes one step further: what a reader works out
from a shard's projection and from whole other tables (the list's rows of one account: their
kind, use and snapshot GiB besides the fields), kept as ``marshal`` data in
``.cache/<name>/<shard>-<tag>.marshal``, the tag a digest of the group read and the caller's
context (an account's rows and another's are kept side by side), under the same kind of
header. Its stamp is the shard file's and a digest of the context and of every shard file of
the tables it reads (``Derivation.inputs``), taken under the same lock as the shards: a commit
to any of them makes every kept derivation stale. What is read back is used only when the
caller's ``accept`` takes it: the checksum finds damage, ``accept`` a file written by hand.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import marshal
import os
import shutil
import stat
import threading
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import columns
from ecsimg.store.columns import Accepted, Column, Derivation
from ecsimg.store.files import (
    NOFOLLOW,
    Stamp,
    check_folder,
    install,
    read_bytes,
    remove_temps,
    stamp_of,
    write_temp,
)
from ecsimg.store.memory import LoadedTable, collector_paused
from ecsimg.store.tables import Table

R = TypeVar("R")
D = TypeVar("D")

FEW_KEYS_PER_SHARD = 256
"""Past this many keys per shard on average, ``field_values`` reads every shard whole."""

FOLDER = ".cache"
MAX_CACHE_FILE = 1 << 28
RETIRED = ("list-fields-1", "snapshot-sizes-1")
"""Projections no version reads any more, whose folders older versions left in ``FOLDER``."""

_RETIRED_FROM: set[Path] = set()
"""The catalogues this process has removed the retired projections of (or tried to)."""


class Codec(NamedTuple):
    """How a kept file's body is written and read."""

    suffix: str
    dumps: Callable[[Any], bytes]
    loads: Callable[[bytes], Any]
    errors: tuple[type[Exception], ...]
    """What ``loads`` raises for a body it cannot read."""


JSON = Codec(".json", orjson.dumps, orjson.loads, (orjson.JSONDecodeError,))
MARSHAL = Codec(".marshal", lambda value: marshal.dumps(value, 4), marshal.loads,
                (EOFError, ValueError, TypeError, RecursionError))
"""Plain data (lists, tuples, text, numbers) read back several times quicker than JSON, its
shared objects (a column's repeated text) shared again; only for data this program wrote, and
only once its checksum matched."""


class ProjectionCache:
    """The projection ``name`` of one table's shards."""

    def __init__(self, root: Path, name: str, codec: Codec = JSON) -> None:
        self.folder = root / FOLDER / name
        self.codec = codec

    def _path(self, shard: str) -> Path:
        return self.folder / f"{shard}{self.codec.suffix}"

    def get(self, shard: str, stamp: Sequence[Any]) -> Any:
        """The values extracted from ``shard`` when its file had ``stamp``; None if unknown."""
        try:
            check_folder(self.folder.parent)  # a link in place of .cache is never followed
            raw = read_bytes(self._path(shard), MAX_CACHE_FILE)
        except (OSError, ValueError, CatalogueError):
            return None  # none yet, not a regular file, a link: extract the shard again
        header, _, body = raw.partition(b"\n")
        try:
            head = orjson.loads(header)
            if tuple(head["stamp"]) != tuple(stamp) or head["crc"] != zlib.crc32(body):
                return None
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return None
        try:
            return self.codec.loads(body)
        except self.codec.errors:
            return None

    def put(self, shard: str, stamp: Sequence[Any], values: Any) -> None:
        """Keep ``values`` for the shard file of ``stamp``, if the folder can be written."""
        try:
            body = self.codec.dumps(values)
        except (TypeError, ValueError):
            return  # not data this codec writes: nothing is kept
        header = orjson.dumps({"stamp": list(stamp), "crc": zlib.crc32(body)})
        path = self._path(shard)
        with contextlib.suppress(OSError, ValueError, CatalogueError):
            _make_folder(self.folder)
            install(write_temp(path, header + b"\n" + body, durable=False), path,
                    durable=False)


def _make_folder(folder: Path) -> None:
    """Create ``folder`` and its parent, refusing (OSError) a link in their place."""
    for path in (folder.parent, folder):
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            if path.is_symlink() or not path.is_dir():
                raise OSError(errno.ENOTDIR, f"{path} is not a folder") from None


def remove_retired(root: Path) -> None:
    """Remove the folders of ``RETIRED`` projections from ``root``'s cache folder, once per
    process: a link in their place is removed, not followed; what cannot be removed (a
    read-only catalogue) is left, never an error."""
    if root in _RETIRED_FROM:
        return
    _RETIRED_FROM.add(root)
    try:  # names looked up in the folder itself: a link in place of .cache is not followed
        top = os.open(root / FOLDER, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW)
    except OSError:
        return
    try:
        for name in RETIRED:
            with contextlib.suppress(OSError):
                found = os.stat(name, dir_fd=top, follow_symlinks=False)
                if stat.S_ISDIR(found.st_mode):
                    shutil.rmtree(name, dir_fd=top)  # never follows a link inside
                else:
                    os.unlink(name, dir_fd=top)
    finally:
        os.close(top)


def remove_temps_of_readers(root: Path) -> None:
    """Delete the temporary files of readers killed while writing a projection (the caller
    holds the writer lock: no reader is writing one)."""
    top = root / FOLDER
    if top.is_symlink() or not top.is_dir():
        return
    with contextlib.suppress(OSError):
        for folder in top.iterdir():
            if folder.is_dir() and not folder.is_symlink():
                remove_temps(folder)


class Projecting:
    """Whole-table reads of TinyRepository that keep nothing but what the caller extracts:
    ``project`` (with kept projections) and ``field_values``."""

    root: Path
    keep_projections: bool
    _thread_lock: threading.RLock
    _pending: dict[str, dict[str, dict[str, Any] | None]]
    _loaded: dict[str, LoadedTable]

    def _locked(self, exclusive: bool) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _sync(self, writing: bool) -> None:
        raise NotImplementedError

    def _shards_on_disk(self, table: Table[Any]) -> set[str]:
        raise NotImplementedError

    def _shard_path(self, table: Table[Any], shard: str) -> Path:
        raise NotImplementedError

    def _read_shard(self, table: Table[Any], shard: str) -> dict[str, Any]:
        raise NotImplementedError

    @contextlib.contextmanager
    def _shards_read(self, table: Table[Any], cache: str | None
                     ) -> Iterator[tuple[ProjectionCache | None, list[str]]]:
        """The table's shards, in order, under the shared lock with the collector paused
        (as ``project`` reads them), and the projection ``cache`` kept, if any can be used
        (none while a journal left by another process is pending)."""
        with self._thread_lock, self._locked(exclusive=False), collector_paused():
            self._sync(writing=False)
            kept = (ProjectionCache(self.root, cache)
                    if cache is not None and not self._pending else None)
            if kept is not None and self.keep_projections:
                remove_retired(self.root)
            yield kept, sorted(self._shards_on_disk(table))

    def project(self, table: Table[Any], group: str | None,
                extract: Callable[[str, Any], R | None],
                collect: Callable[[list[R], int, int], None], *,
                cache: str | None = None) -> None:
        """``extract`` over each shard's documents, read from the files one shard at a time
        (a journal left pending included) and dropped after, each shard's results passed to
        ``collect``. Records of the table held in memory already are not used: the files
        are the commit this read holds the lock on.

        With ``cache`` (a name that changes whenever ``extract`` does), what ``extract``
        gives for a shard is kept beside the catalogue and reused while the shard file is
        unchanged (see ``projections``): ``extract`` must then depend on the document alone
        and give JSON values.
        """
        grouping = table.group if group is not None else None
        with self._shards_read(table, cache) as (kept, shards):
            for done, shard in enumerate(shards, 1):
                values = self._projected(table, shard, extract, kept)
                if grouping is None:
                    collect(list(values.values()), done, len(shards))
                else:
                    collect([v for key, v in values.items() if grouping(key) == group], done,
                            len(shards))

    def project_columns(self, table: Table[Any], group: str | None,
                        extract: Callable[[str, Any], list[Any] | None],
                        types: Sequence[Accepted],
                        collect: Callable[[list[Column], int, int], None], *,
                        cache: str | None = None,
                        check: Callable[[list[Column]], bool] | None = None) -> None:
        """``project`` a shard at a time as columns (``store.columns``), kept as columns
        with ``cache``: a kept shard is parsed and decoded without a list per document; one
        ``check`` refuses is extracted again."""
        with self._shards_read(table, cache) as (kept, shards):
            for done, shard in enumerate(shards, 1):
                collect(self._projected_columns(table, shard, extract, types, group, kept,
                                                check), done, len(shards))

    def project_derived(self, table: Table[Any], group: str | None,
                        extract: Callable[[str, Any], list[Any] | None],
                        types: Sequence[Accepted], derivation: Derivation[D],
                        collect: Callable[[D, int, int], None], *,
                        cache: str | None = None,
                        check: Callable[[list[Column]], bool] | None = None,
                        only: Collection[str] | None = None,
                        later: list[Callable[[], None]] | None = None) -> None:
        """``project_columns`` with each part's ``derivation.make`` passed to ``collect``,
        kept (see the module) and read back while neither the shard nor any shard of the
        derivation's inputs changed; ``only``: of these shards alone. With ``later``, what
        was made is kept by a function added to it, for the caller to call when it has time
        (it keeps only what is still current then)."""
        with self._shards_read(table, cache) as (kept, shards):
            if only is not None:
                shards = [shard for shard in shards if shard in only]
            made, context = None, None
            if kept is not None:
                context = self._context_digest(derivation, group)
                if context is not None:
                    made = ProjectionCache(self.root, derivation.name, MARSHAL)
            # One file per shard, group and context: a region's rows and every region's,
            # one account's and another's, are kept side by side.
            tag = hashlib.sha256(orjson.dumps([group, list(derivation.context)])).hexdigest()[:16]
            to_keep: list[tuple[str, Path, Stamp, Any]] = []
            for done, shard in enumerate(shards, 1):
                path = self._shard_path(table, shard)
                stamp = stamp_of(path) if made is not None else None
                if made is not None and stamp is not None:
                    found = derivation.accept(made.get(f"{shard}-{tag}", [*stamp, context]))
                    if found is not None:
                        collect(found, done, len(shards))
                        continue
                value = derivation.make(self._projected_columns(
                    table, shard, extract, types, group, kept, check))
                if made is not None and stamp is not None and self.keep_projections:
                    to_keep.append((f"{shard}-{tag}", path, stamp, value))
                    if later is None:
                        self._keep_derived(made, to_keep, context)
                        to_keep = []
                collect(value, done, len(shards))
        if to_keep and made is not None and context is not None and later is not None:
            later.append(functools.partial(self._keep_later, derivation, group, made,
                                           to_keep, context))

    def _keep_derived(self, made: ProjectionCache, values: list[tuple[str, Path, Stamp, Any]],
                      context: str | None) -> None:
        """Keep each value whose shard file is still the one it was made from (the caller
        holds the shared lock, and knows ``context`` is still current)."""
        for name, path, stamp, value in values:
            if stamp == stamp_of(path):
                made.put(name, [*stamp, context], value)

    def _keep_later(self, derivation: Derivation[Any], group: str | None,
                    made: ProjectionCache, values: list[tuple[str, Path, Stamp, Any]],
                    context: str) -> None:
        """``_keep_derived`` after the read: under the shared lock again, only while no
        journal is pending and the inputs are as they were when the values were made."""
        with contextlib.suppress(CatalogueError, OSError), self._thread_lock, \
                self._locked(exclusive=False):
            self._sync(writing=False)
            if not self._pending and self._context_digest(derivation, group) == context:
                self._keep_derived(made, values, context)
        values.clear()  # kept or stale: either way not held any longer

    def _context_digest(self, derivation: Derivation[Any], group: str | None) -> str | None:
        """A digest of what a derivation's values depend on besides their shard: its
        context, the group and every shard file of its inputs (None when one cannot be
        stamped: nothing is then kept)."""
        stamps: list[Any] = []
        try:
            for table in derivation.inputs:
                for shard in sorted(self._shards_on_disk(table)):
                    stamp = stamp_of(self._shard_path(table, shard))
                    if stamp is None:
                        return None
                    stamps.append([table.name, shard, *stamp])
            body = orjson.dumps([list(derivation.context), group, stamps])
        except (CatalogueError, TypeError):
            return None
        return hashlib.sha256(body).hexdigest()[:32]

    def _projected_columns(self, table: Table[Any], shard: str,
                           extract: Callable[[str, Any], list[Any] | None],
                           types: Sequence[Accepted], group: str | None,
                           kept: ProjectionCache | None,
                           check: Callable[[list[Column]], bool] | None = None
                           ) -> list[Column]:
        path = self._shard_path(table, shard)
        width = len(types)
        stamp = stamp_of(path) if kept is not None else None
        if kept is not None and stamp is not None:
            found = columns.decode(kept.get(shard, stamp), width, group, types)
            if found is not None and (check is None or check(found)):
                return found
        values = self._projected(table, shard, extract, None)
        grouping = table.group
        groups = [grouping(key) if grouping is not None else "" for key in values]
        rows = list(values.values())
        if rows and (set(map(type, rows)) != {list} or set(map(len, rows)) != {width}):
            raise CatalogueError(f"{path}: a record's fields are not {width}")
        stored = columns.encode(rows, groups, width)
        wanted = group if grouping is not None else None
        found = columns.decode(stored, width, wanted, types)
        if found is None:  # values of other types: passed on as extracted, never kept
            found = columns.decode(stored, width, wanted)
            assert found is not None  # made here
        elif (kept is not None and stamp is not None and self.keep_projections
                and stamp == stamp_of(path)):
            kept.put(shard, stamp, stored)
        return found

    def _projected(self, table: Table[Any], shard: str, extract: Callable[[str, Any], Any],
                   kept: ProjectionCache | None) -> dict[str, Any]:
        """What ``extract`` gives for each document of ``shard`` (None left out)."""
        path = self._shard_path(table, shard)
        stamp = stamp_of(path) if kept is not None else None
        if kept is not None and stamp is not None:
            cached = kept.get(shard, stamp)
            if isinstance(cached, dict):
                return cached
        values: dict[str, Any] = {}
        for key, doc in self._read_shard(table, shard).items():
            if type(doc) is not dict:
                raise CatalogueError(f"{path}: record {key!r} is not an object")
            try:
                value = extract(key, doc)
            except (TypeError, ValueError, KeyError, AttributeError) as err:
                raise CatalogueError(f"{path}: record {key!r} is malformed ({err})") from None
            if value is not None:
                values[key] = value
        if (kept is not None and stamp is not None and self.keep_projections
                and stamp == stamp_of(path)):
            kept.put(shard, stamp, values)
        return values

    def field_values(self, table: Table[Any], field: str, keys: Iterable[str]) -> dict[str, Any]:
        """One field of the records under ``keys`` (None for a missing record), read a shard
        at a time without keeping the shards it had not loaded: 140,000 snapshot sizes cost a
        dictionary, not 140,000 records."""
        keys = list(keys)
        default = table.codec.defaults.get(field)
        found: dict[str, Any] = {}
        with self._thread_lock, self._locked(exclusive=False):
            self._sync(writing=False)
            loaded = self._loaded.get(table.name)
            for shard, shard_keys in self._by_shard(table, keys).items():
                if loaded is not None and (loaded.complete or shard in loaded.known):
                    held = loaded.shard_keys.get(shard, set())
                    for key in shard_keys if shard_keys is not None else keys:
                        value = loaded.records.get(key) if key in held else None
                        if value is None:
                            if shard_keys is not None:
                                found[key] = None
                        elif type(value) is dict:
                            found[key] = value.get(field, default)
                        else:
                            found[key] = getattr(value, field)
                    continue
                docs = self._read_shard(table, shard)
                for key in shard_keys if shard_keys is not None else keys:
                    if key in found:
                        continue
                    doc = docs.get(key)
                    if isinstance(doc, dict):
                        found[key] = doc.get(field, default)
            for key in keys:
                found.setdefault(key, None)
        return found

    def _by_shard(self, table: Table[Any], keys: list[str]) -> dict[str, list[str] | None]:
        """The shards that hold ``keys``, each with its keys; where there are so many keys
        that they are bound to fill every shard, every shard with None (look each key up in
        every shard: hashing 140,000 keys costs more than the lookups)."""
        if len(keys) > FEW_KEYS_PER_SHARD * table.shards:
            return dict.fromkeys(sorted(self._shards_on_disk(table)))
        wanted: dict[str, list[str] | None] = {}
        for key in keys:
            listed = wanted.setdefault(table.shard_of(key), [])
            assert listed is not None
            listed.append(key)
        return wanted
