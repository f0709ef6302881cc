"""Catalogue files: atomic replacement, strict reading, and TinyDB shards buffered in memory."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table as TinyTable

from ecsimg.domain.errors import CatalogueError

Stamp = tuple[int, int, int]
"""What tells a changed file: inode, modification time, size."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old bytes or the new, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def read_json(path: Path) -> Any:
    """Parse a catalogue file, or raise CatalogueError naming it and what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CatalogueError(f"{path}: cannot read ({err.strerror})") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise CatalogueError(f"{path}: not valid JSON ({err}); refusing to use it") from None


class ShardStorage(Storage):
    """A TinyDB storage for one shard: reads once, buffers writes, flushes atomically."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self.dirty = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._data is None and self.path.exists():
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

    def flush(self) -> None:
        if self.dirty and self._data is not None:
            atomic_write(self.path, orjson.dumps(self._data))
            self.dirty = False


class KeyedTable(TinyTable):
    """TinyDB table whose document IDs are our string keys."""

    document_id_class = str  # type: ignore[assignment]


class ShardDB(TinyDB):
    table_class = KeyedTable


def open_shard(path: Path) -> ShardDB:
    return ShardDB(str(path), storage=ShardStorage)


def stamp_of(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
