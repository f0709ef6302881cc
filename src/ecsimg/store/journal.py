"""The redo journal and the two-phase write of a commit's files.

A commit first writes every file it changes (each touched shard, ``meta.json`` and the journal)
to temporary files, fsynced: a full disk or a read-only filesystem fails here, before anything
is visible, and the temporary files are removed. Renaming the journal into place is the commit
point. After it only renames follow, which need no new space; if one still fails, the journal
stays and is replayed by the next writer, and readers apply it in memory. So a commit that
raised is never applied later, and one that returned is never lost.

The fsyncs of each step are issued together (the temporary files with the journal's before the
commit point; the folders of the renamed files after it, before the journal is removed): the
same files are durable at the same points, in fewer waits for the disk.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import indexes
from ecsimg.store.files import (
    ShardStorage,
    check_folder,
    describe_os_error,
    read_bytes,
    read_json,
    read_stamped,
    spliced,
    stamp_of,
    temp_name,
    write_temp,
)
from ecsimg.store.syncing import install_at_once, sync_at_once
from ecsimg.store.tables import IMAGE_ROWS, IMAGES, TABLES_BY_NAME

JOURNAL = "journal.json"
META = "meta.json"
Ops = list[list[Any]]
"""[table name, key, document or None for a deletion]."""


def encode(ops: Ops, generation: int) -> bytes:
    body = orjson.dumps({"generation": generation, "ops": ops})
    return orjson.dumps({"crc": zlib.crc32(body), "body": body.decode()})


BATCHED = b'{"journal":2,'
"""How a journal written batch by batch begins (``Writer``): one line of header, one line a
batch of operations, a last line with the crc of all the lines before it."""


class Writer:
    """A journal written to its temporary file batch by batch, each batch a line: a commit of
    100,000 images never holds its journal, or all its operations, in memory at once, and a
    replay reads it back a batch at a time (``read_batches``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_folder(path.parent)
        self.tmp = temp_name(path)
        self._fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                           | os.O_CLOEXEC, 0o644)
        self._crc = 0
        self._batches = 0

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def _line(self, data: bytes) -> None:
        line = data + b"\n"  # orjson never writes a raw newline: one value a line
        self._crc = zlib.crc32(line, self._crc)
        self._write(line)

    def start(self, generation: int) -> None:
        self._line(BATCHED + b'"generation":%d}' % generation)

    def add(self, ops: Ops) -> None:
        if ops:
            self._line(orjson.dumps(ops))
            self._batches += 1

    def finish(self) -> Path:
        """The temporary file, complete (not yet durable: see ``sync_temps``)."""
        self._write(orjson.dumps({"crc": self._crc, "batches": self._batches}) + b"\n")
        self.close()
        return self.tmp

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def discard(self) -> None:
        self.close()
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)


def read_batches(path: Path) -> tuple[int, Iterator[Ops]]:
    """The generation of a journal and its operations batch by batch, checked whole first
    (one pass over its bytes); CatalogueError naming it if it does not check out. A journal
    written whole (``encode``, or an earlier ecsimg) is one batch."""
    try:
        with open(path, "rb") as handle:
            header = handle.readline()
            if not header.startswith(BATCHED):
                ops, generation = decode(path)
                return generation, iter([ops])
            generation = orjson.loads(header)["generation"]
            if type(generation) is not int or generation < 0:
                raise ValueError("generation malformed")
            crc, lines, trailer = zlib.crc32(header), 0, None
            for line in handle:
                if line.startswith(b'{"crc"'):
                    trailer = orjson.loads(line)
                    break
                crc = zlib.crc32(line, crc)
                lines += 1
            if not isinstance(trailer, dict) or trailer.get("crc") != crc or trailer.get(
                    "batches") != lines or handle.read(1):
                raise ValueError("checksum mismatch or incomplete")
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise CatalogueError(_damaged(path, err)) from None
    return generation, _batches(path)


def _batches(path: Path) -> Iterator[Ops]:
    try:
        with open(path, "rb") as handle:
            handle.readline()
            for line in handle:
                if line.startswith(b'{"crc"'):
                    return
                ops = orjson.loads(line)
                _check_ops(ops)
                yield ops
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise CatalogueError(_damaged(path, err)) from None


def _check_ops(ops: Any) -> None:
    if not isinstance(ops, list):
        raise ValueError("ops malformed")
    for op in ops:
        if not (isinstance(op, list) and len(op) == 3 and op[0] in TABLES_BY_NAME
                and isinstance(op[1], str) and (op[2] is None or isinstance(op[2], dict))):
            raise ValueError(f"operation {str(op)[:60]} malformed")


def _damaged(path: Path, err: Exception) -> str:
    return (f"{path}: damaged ({err}); a committed change may be lost. Move the file aside "
            "to open the catalogue without it")


def decode(path: Path) -> tuple[Ops, int]:
    """The ops and generation of a journal, or CatalogueError naming it: a journal on disk
    was renamed into place whole, so one that does not check out was damaged afterwards."""
    try:
        with open(path, "rb") as handle:
            batched = handle.read(len(BATCHED)) == BATCHED
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    if batched:
        generation, batches = read_batches(path)
        return [op for ops in batches for op in ops], generation
    try:
        outer = orjson.loads(read_bytes(path))
        body = outer["body"].encode()
        if zlib.crc32(body) != outer["crc"]:
            raise ValueError("checksum mismatch")
        record = orjson.loads(body)
        ops, generation = record["ops"], record["generation"]
        if not isinstance(ops, list) or type(generation) is not int or generation < 0:
            raise ValueError("ops or generation malformed")
        _check_ops(ops)
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise CatalogueError(_damaged(path, err)) from None
    return ops, generation


def shard_path(root: Path, table_name: str, key: str) -> Path:
    table = TABLES_BY_NAME[table_name]
    return root / table.name / f"{table.shard_of(key)}.json"


def prepare(root: Path, ops: Ops, meta: dict[str, Any], *, sync: bool = True,
            write_meta: bool = True) -> list[tuple[Path, Path]]:
    """Write the shards ``ops`` change and ``meta`` (to which it adds the shards it writes)
    to temporary files: a list of (temporary, final). They are durable when it returns,
    unless not ``sync``: the caller then passes them to ``sync_temps`` with its own.
    Without ``write_meta``, ``meta`` is only updated: a commit prepared in several calls
    (each writing other shards) writes it once, in the last.

    Each shard's table is updated once for all its ops (see ``_updated``).
    """
    changes: dict[Path, dict[str, dict[str, Any]]] = {}
    paths: dict[tuple[str, str], Path] = {}  # a large commit has 100,000 ops on 100 files
    for name, key, doc in ops:
        shard = TABLES_BY_NAME[name].shard_of(key)
        path = paths.get((name, shard))
        if path is None:
            path = paths[(name, shard)] = root / name / f"{shard}.json"
        changes.setdefault(path, {}).setdefault(name, {})[key] = doc
    written: list[tuple[Path, Path]] = []
    try:
        for path, by_table in changes.items():
            check_folder(path.parent)
            path.parent.mkdir(exist_ok=True)
            if path.parent.name == IMAGE_ROWS.name:
                written.append((_rows_file(path, by_table[IMAGE_ROWS.name]), path))
                _list_shard(meta, IMAGE_ROWS.name, path.stem)
                continue
            images = path.parent.name == IMAGES.name
            found = _spliced(root, path, by_table) if images else None
            if found is None:
                storage = ShardStorage(str(path), spans=images)
                found = storage.encode(_updated(path, storage.read() or {}, by_table)), \
                    storage.spans
            body, spans = found
            tmp = write_temp(path, body, durable=False)
            written.append((tmp, path))
            if images:
                written.append(_spans_file(root, path, tmp, spans))
                if "indexed" in meta:
                    # The indexes match this file now: a rename keeps inode and time.
                    meta["indexed"][path.stem] = list(stamp_of(tmp) or ())
            _list_shard(meta, path.parent.name, path.stem)
        if write_meta:
            meta_path = root / META
            written.append((write_temp(meta_path, orjson.dumps(
                meta, option=orjson.OPT_INDENT_2), durable=False), meta_path))
        if sync:
            sync_temps(written)
    except BaseException:
        discard(written)
        raise
    return written


def _spliced(root: Path, path: Path, by_table: dict[str, dict[str, Any]]
             ) -> tuple[bytes, dict[str, list[int]]] | None:
    """The images shard at ``path`` with the changes of ``by_table`` made in its bytes
    (``files.spliced``), when its spans file describes this very file; None otherwise (the
    shard is then parsed and encoded again)."""
    if set(by_table) != {IMAGES.name}:
        return None
    try:
        raw, stamp = read_stamped(path)
        described = orjson.loads(read_bytes(root / indexes.SPANS / path.name))
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(described, dict) or described.get("stamp") != list(stamp):
        return None
    return spliced(raw, described.get("spans"), IMAGES.name, by_table[IMAGES.name])


def _list_shard(meta: dict[str, Any], table_name: str, shard: str) -> None:
    """Add ``shard`` to the sorted list of ``table_name``'s shards in ``meta``; a list of a
    thousand rows files is sorted again only when the shard is new to it."""
    listed = meta.setdefault("shards", {}).get(table_name, [])
    if shard not in listed:
        meta["shards"][table_name] = sorted({*listed, shard})


def _updated(path: Path, data: dict[str, Any],
             by_table: dict[str, dict[str, dict[str, Any] | None]]) -> dict[str, Any]:
    """The TinyDB database ``data`` of the shard at ``path`` with each table's changes
    applied as TinyDB's ``remove(doc_ids=...)`` then ``insert_multiple`` leave it (a changed
    document moves to the end), without TinyDB's copies of the table for each call: a
    commit rewrites a dozen shards."""
    for name, docs in by_table.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise CatalogueError(f"{path}: table {name!r} is malformed")
        for key in docs:
            table.pop(key, None)
        for key, doc in docs.items():
            if doc is not None:
                table[key] = doc
        data[name] = table
    return data


def _rows_file(path: Path, changes: dict[str, dict[str, Any] | None]) -> Path:
    """The rows shard at ``path`` with ``changes`` applied, written to a temporary file in
    the layout a listing reads lazily (see ``indexes.encode_rows``)."""
    docs: dict[str, Any] = {}
    if stamp_of(path) is not None:
        data = read_json(path)
        found = data.get(IMAGE_ROWS.name) if isinstance(data, dict) else None
        if not isinstance(found, dict):
            raise CatalogueError(f"{path}: table {IMAGE_ROWS.name!r} is missing or malformed")
        docs = found
    for key, doc in changes.items():
        if doc is None:
            docs.pop(key, None)
        else:
            docs[key] = doc
    return write_temp(path, indexes.encode_rows(docs), durable=False)


def _spans_file(root: Path, shard: Path, tmp: Path,
                spans: dict[str, list[int]]) -> tuple[Path, Path]:
    """The spans of the images shard being written (see ``indexes.SPANS``), stamped with the
    file they describe, so a reader uses them only while that very file is in place."""
    return spans_file(root, shard.name, list(stamp_of(tmp) or ()), spans)


def spans_file(root: Path, name: str, stamp: list[int],
               spans: dict[str, list[int]]) -> tuple[Path, Path]:
    """A spans file for the images shard file ``name`` whose stamp is ``stamp``, written to
    a temporary file: (temporary, final)."""
    folder = root / indexes.SPANS
    check_folder(folder)
    folder.mkdir(exist_ok=True)
    final = folder / name
    body = orjson.dumps({"stamp": stamp, "spans": spans})
    # Not synced: spans name the file they describe, so spans lost or torn by a crash are
    # only not used (the shard is read whole).
    return write_temp(final, body, durable=False), final


def sync_temps(written: list[tuple[Path, Path]], *more: Path) -> None:
    """Make the temporary files of ``written`` (spans aside: see ``_spans_file``) and ``more``
    durable, all at once."""
    sync_at_once([tmp for tmp, path in written if path.parent.name != indexes.SPANS] +
                 list(more))


def install_all(written: list[tuple[Path, Path]]) -> None:
    """Rename each written file into place, then make the renames durable, every folder at
    once; a crash before that leaves the journal, which is replayed."""
    install_at_once(written)
    folders = {path.parent: None for _, path in written if path.parent.name != indexes.SPANS}
    sync_at_once(list(folders), folders=True)


def discard(written: list[tuple[Path, Path]]) -> None:
    for tmp, _ in written:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
