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
no cache, never an error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import zlib
from pathlib import Path
from typing import Any

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store.files import (
    Stamp,
    check_folder,
    install,
    read_bytes,
    remove_temps,
    write_temp,
)

FOLDER = ".cache"
MAX_CACHE_FILE = 1 << 28


class ProjectionCache:
    """The projection ``name`` of one table's shards."""

    def __init__(self, root: Path, name: str) -> None:
        self.folder = root / FOLDER / name

    def _path(self, shard: str) -> Path:
        return self.folder / f"{shard}.json"

    def get(self, shard: str, stamp: Stamp) -> dict[str, Any] | None:
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
            values = orjson.loads(body)
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return None
        return values if isinstance(values, dict) else None

    def put(self, shard: str, stamp: Stamp, values: dict[str, Any]) -> None:
        """Keep ``values`` for the shard file of ``stamp``, if the folder can be written."""
        body = orjson.dumps(values)
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
