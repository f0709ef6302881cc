"""Kept projections changed as a hand or another version could: files the store would use
(the stamp of the shard as it is, a checksum that agrees) whose values are not what it wrote."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from ecsimg.store import projections
from ecsimg.store.tables import Table


def rewrite_kept(target: Path, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Change the values kept in ``target``, writing them with the store's own writer."""
    header, _, body = target.read_bytes().partition(b"\n")
    inode, mtime_ns, size = orjson.loads(header)["stamp"]
    cache = projections.ProjectionCache(target.parents[2], target.parent.name)
    cache.put(target.stem, (inode, mtime_ns, size), change(orjson.loads(body)))
    assert cache.get(target.stem, (inode, mtime_ns, size)) is not None


def with_a_value_of_another_type(stored: dict[str, Any], field: int, wrong: Any,
                                 coded: bool) -> dict[str, Any]:
    """``stored`` (a projection kept as columns) with the first document's ``field`` made
    ``wrong``, that column kept plain or as distinct values and codes."""
    column = stored["columns"][field]
    values = (list(column) if isinstance(column, list)
              else [column["distinct"][code] for code in column["codes"]])
    if not coded:
        stored["columns"][field] = [wrong, *values[1:]]
        return stored
    distinct: list[Any] = []
    codes: list[int] = []
    for value in values:
        if value not in distinct:
            distinct.append(value)
        codes.append(distinct.index(value))
    codes[0] = len(distinct)
    stored["columns"][field] = {"distinct": [*distinct, wrong], "codes": codes}
    return stored


def leave_a_journal(root: Path, table: Table[Any], record: Any) -> None:
    """A journal another process left pending in ``root``, writing ``record`` to ``table``."""
    body = orjson.dumps({"generation": 99, "ops": [[table.name, table.key(record),
                                                    table.codec.encode(record)]]})
    (root / "journal.json").write_bytes(
        orjson.dumps({"crc": zlib.crc32(body), "body": body.decode()}))
