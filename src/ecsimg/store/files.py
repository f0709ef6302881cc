"""Catalogue files: safe opening, atomic replacement, strict reading, buffered TinyDB shards.

Every path under the catalogue folder is opened without following a symbolic link (the file
with O_NOFOLLOW, its folder checked with lstat), temporary files get unpredictable names and
are created with O_EXCL, so a link planted in the folder can neither redirect a read nor a
write outside it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table as TinyTable

from ecsimg.domain.errors import CatalogueError

Stamp = tuple[int, int, int]
"""What tells a changed file: inode, modification time, size."""

MAX_CATALOGUE_FILE = 1 << 31
"""Largest catalogue file read (a 100k-image shard is a few MB): bounds memory on a bad file."""
TEMP_SUFFIX = ".tmp"
NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC


def describe_os_error(err: OSError) -> str:
    """A short reason: 'is a symbolic link' for the refusal O_NOFOLLOW gives, else strerror."""
    if err.errno == errno.ELOOP:
        return "is a symbolic link; refusing to follow it"
    if err.errno == errno.ENOSPC:
        return "no space left on the device"
    return err.strerror or str(err)


def check_folder(path: Path) -> None:
    """Refuse a folder on a catalogue path that is a symbolic link or not a folder."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    if stat.S_ISLNK(st.st_mode):
        raise CatalogueError(f"{path}: is a symbolic link; refusing to follow it (give the "
                             "real folder)")
    if not stat.S_ISDIR(st.st_mode):
        raise CatalogueError(f"{path}: is a file, not an ecsimg catalogue folder; refusing to "
                             "use it")


def fsync_folder(path: Path) -> None:
    """Make renames and creations in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """An unpredictable hidden sibling of ``path``: a planted name cannot be guessed."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")


def write_temp(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` durably (unless not ``durable``) to a new temporary sibling of
    ``path``; removed if that fails."""
    check_folder(path.parent)
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def install(tmp: Path, path: Path, *, durable: bool = True) -> None:
    """Rename a written temporary file onto ``path`` (the rename replaces a link, never
    follows it) and make the rename durable (unless not ``durable``)."""
    os.replace(tmp, path)
    if durable:
        fsync_folder(path.parent)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old bytes or the new, never a mix."""
    install(write_temp(path, data), path)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A regular catalogue file opened for reading without following a link (its folder
    checked too), with its stat; OSError otherwise. The caller closes the descriptor."""
    check_folder(path.parent)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | NOFOLLOW)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_bytes(path: Path, limit: int = MAX_CATALOGUE_FILE) -> bytes:
    """A regular catalogue file's bytes, opened without following a link; OSError otherwise."""
    fd, _ = _open_regular(path)
    try:
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit >> 20} MiB")
    return raw


def read_start(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular catalogue file (all of it if shorter), opened
    without following a link; OSError otherwise."""
    fd, _ = _open_regular(path)
    try:
        return os.pread(fd, size, 0)
    finally:
        os.close(fd)


def read_stamped(path: Path) -> tuple[bytes, Stamp]:
    """A regular catalogue file's bytes and the stamp of the very file read."""
    fd, st = _open_regular(path)
    try:
        if st.st_size > MAX_CATALOGUE_FILE:
            raise OSError(errno.EFBIG, f"larger than {MAX_CATALOGUE_FILE >> 20} MiB")
        data = os.pread(fd, st.st_size, 0)
    finally:
        os.close(fd)
    if len(data) != st.st_size:
        raise OSError(errno.EIO, "changed size while it was read")
    return data, (st.st_ino, st.st_mtime_ns, st.st_size)


def read_json(path: Path) -> Any:
    """Parse a catalogue file, or raise CatalogueError naming it and what is wrong."""
    try:
        raw = read_bytes(path)
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise CatalogueError(f"{path}: not valid JSON ({err}); refusing to use it") from None


def remove_temps(folder: Path) -> None:
    """Delete temporary files a crashed or failed writer left in ``folder`` (the caller holds
    the writer lock, so none of them is being written)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            _unlink_quietly(folder / name)


class ShardStorage(Storage):
    """A TinyDB storage for one shard: reads once, buffers writes, writes a temporary file."""

    def __init__(self, path: str, *, spans: bool = True) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self.dirty = False
        self._note_spans = spans
        self.spans: dict[str, list[int]] = {}
        """Where each document of the last file written starts and ends, in bytes (if
        asked for: only images are read by their span)."""

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._data is None and stamp_of(self.path) is not None:
            data = read_json(self.path)
            if not isinstance(data, dict):
                raise CatalogueError(
                    f"{self.path}: not a TinyDB database (top level is not an object)"
                )
            self._data = data
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self.dirty = True

    def prepare(self, *, durable: bool = True) -> Path | None:
        """Write the buffered shard to a temporary file, fsynced unless not ``durable`` (the
        caller then syncs it); ``install`` puts it in place."""
        if self.dirty and self._data is not None:
            self.dirty = False
            return write_temp(self.path, self.encode(self._data), durable=durable)
        return None

    def encode(self, data: dict[str, dict[str, Any]]) -> bytes:
        """``orjson.dumps(data)``, byte for byte, noting each document's span on the way (so
        that one document can be read without parsing the whole shard)."""
        self.spans = {}
        if len(data) != 1 or not self._note_spans:
            return orjson.dumps(data)
        ((name, docs),) = data.items()
        parts = [b"{", orjson.dumps(name), b":{"]
        at = len(parts[0]) + len(parts[1]) + len(parts[2])
        first = True
        for key, doc in docs.items():
            head = orjson.dumps(key) + b":"
            body = orjson.dumps(doc)
            if not first:
                parts.append(b",")
                at += 1
            first = False
            parts += (head, body)
            at += len(head)
            self.spans[key] = [at, at + len(body)]
            at += len(body)
        parts.append(b"}}")
        return b"".join(parts)


def spliced(raw: bytes, spans: Any, name: str,
            changes: dict[str, dict[str, Any] | None]) -> tuple[bytes, dict[str, list[int]]] | None:
    """The shard file ``raw`` (one table, ``name``) with ``changes`` made as ``_updated``
    makes them (a changed document moves to the end, None removes it), and each document's
    span, from ``raw``'s bytes and ``spans`` (where ``ShardStorage.encode`` put each
    document of it): the bytes ``encode`` gives, without parsing or encoding the documents
    left as they were. A share rewrites a 1 MB images shard for one document: 19 ms parsed
    and encoded again, 1-2 ms spliced.

    None when ``raw`` is not laid out as ``spans`` say: every document's key where its span
    says, the documents one after another, separated by commas, and nothing else (the
    caller then parses the file, which finds what is wrong with it)."""
    prefix = b"{" + orjson.dumps(name) + b":{"
    if not (isinstance(spans, dict) and raw.startswith(prefix) and raw.endswith(b"}}")):
        return None
    try:
        ordered = sorted(spans.items(), key=lambda item: item[1][0])
    except (TypeError, IndexError, KeyError):
        return None
    kept: list[tuple[str, bytes | memoryview, int]] = []  # (key, key and document, key length)
    view = memoryview(raw)  # the documents kept are not copied before the file is joined
    at = len(prefix)  # where the next document's key begins
    last = len(raw) - 2  # where the closing braces begin
    for key, span in ordered:
        if type(key) is not str or type(span) is not list or len(span) != 2:
            return None
        head = orjson.dumps(key) + b":"
        start, end = span
        if (type(start) is not int or type(end) is not int or start != at + len(head)
                or not start < end <= last or raw[at:start] != head
                or (end < last and raw[end] != _COMMA)):
            return None
        if key not in changes:
            kept.append((key, view[at:end], len(head)))
        at = end + 1
    if at != (last + 1 if ordered else len(prefix)):  # a document the spans do not name
        return None
    for key, doc in changes.items():
        if doc is not None:
            head = orjson.dumps(key) + b":"
            kept.append((key, head + orjson.dumps(doc), len(head)))
    parts: list[bytes | memoryview] = [prefix]
    placed: dict[str, list[int]] = {}
    at = len(prefix)
    for key, part, head_length in kept:
        if at != len(prefix):
            parts.append(b",")
            at += 1
        parts.append(part)
        placed[key] = [at + head_length, at + len(part)]
        at += len(part)
    parts.append(b"}}")
    return b"".join(parts), placed


_COMMA = ord(",")


def spans_of(data: bytes) -> dict[str, list[int]] | None:
    """Where each document sits in a shard file's bytes ``data``, when the file is laid out
    as ``ShardStorage`` writes it (it is encoded again and compared); None otherwise."""
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    storage = ShardStorage("")
    try:
        same = storage.encode(parsed) == data
    except TypeError:
        return None
    return storage.spans if same and len(parsed) == 1 else None


class KeyedTable(TinyTable):
    """TinyDB table whose document IDs are our string keys."""

    document_id_class = str  # type: ignore[assignment]


class ShardDB(TinyDB):
    table_class = KeyedTable


def open_shard(path: Path) -> ShardDB:
    return ShardDB(str(path), storage=ShardStorage)


def stamp_of(path: Path | str) -> Stamp | None:
    """The file's stamp, None if absent; a link or a non-file is refused with CatalogueError."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({describe_os_error(err)})") from None
    if stat.S_ISLNK(st.st_mode):
        raise CatalogueError(f"{path}: is a symbolic link; refusing to follow it")
    if not stat.S_ISREG(st.st_mode):
        raise CatalogueError(f"{path}: is not a regular file; refusing to use it")
    return (st.st_ino, st.st_mtime_ns, st.st_size)
