"""Schema versions of the catalogue folder and the steps that upgrade an older one."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import indexes, swap
from ecsimg.store.files import ShardStorage, atomic_write, read_json, stamp_of
from ecsimg.store.tables import IMAGE_ROWS, IMAGES, TABLES_BY_NAME

SCHEMA_VERSION = 3
"""The schema this ecsimg writes (2: the images' indexes, see ``indexes``; 3: rows files
laid out newest first under a summary, see ``indexes.encode_rows``)."""

Migration = Callable[[Path], None]


def add_indexes(root: Path) -> None:
    """Schema 1 to 2: derive the images' index files from the images shard by shard."""
    meta_path = root / "meta.json"
    meta = orjson.loads(meta_path.read_bytes())
    files: dict[tuple[str, str], dict[str, Any]] = {}
    indexed: dict[str, list[int] | None] = {}
    for number in range(IMAGES.shards):
        shard = f"{number:02d}"
        path = root / IMAGES.name / f"{shard}.json"
        if stamp_of(path) is None:
            indexed[shard] = None
            continue
        data = read_json(path)
        docs = data.get(IMAGES.name, {}) if isinstance(data, dict) else {}
        if not isinstance(docs, dict):
            raise CatalogueError(f"{path}: table 'images' is malformed")
        # Written again (same documents) to learn where each one sits in the file.
        storage = ShardStorage(str(path))
        atomic_write(path, storage.encode(data))
        stamp = list(stamp_of(path) or ())
        indexed[shard] = stamp
        (root / indexes.SPANS).mkdir(exist_ok=True)
        atomic_write(root / indexes.SPANS / path.name,
                     orjson.dumps({"stamp": stamp, "spans": storage.spans}))
        for name, key, doc in indexes.rebuild_ops(shard, docs, {}, {}):
            if doc is not None:
                files.setdefault((name, TABLES_BY_NAME[name].shard_of(key)), {})[key] = doc
    for (name, shard), docs in sorted(files.items()):
        (root / name).mkdir(exist_ok=True)
        body = indexes.encode_rows(docs) if name == IMAGE_ROWS.name else orjson.dumps({name: docs})
        atomic_write(root / name / f"{shard}.json", body)
        if isinstance(meta.get("shards"), dict):
            listed = set(meta["shards"].get(name, ()))
            meta["shards"][name] = sorted(listed | {shard})
    meta["indexed"] = indexed
    atomic_write(meta_path, orjson.dumps(meta, option=orjson.OPT_INDENT_2))


def sort_rows(root: Path) -> None:
    """Schema 2 to 3: lay each rows file out newest first under its summary."""
    folder = root / IMAGE_ROWS.name
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        data = read_json(path)
        docs = data.get(IMAGE_ROWS.name) if isinstance(data, dict) else None
        if not isinstance(docs, dict) or not all(
                isinstance(doc, dict) and isinstance(doc.get("r"), list)
                for doc in docs.values()):
            raise CatalogueError(f"{path}: table {IMAGE_ROWS.name!r} is malformed")
        atomic_write(path, indexes.encode_rows(docs))


MIGRATIONS: dict[int, Migration] = {1: add_indexes, 2: sort_rows}
"""Step from schema N to N+1, keyed by N; each rewrites the files of the copy it is given."""


def _restamp(root: Path, copy: Path) -> None:
    """Carry over to ``copy`` what the stamps of ``root`` vouch for: a copied file is a new
    inode, so without this every index entry and every spans file of the copy would be stale
    (read from the images, whole) until each images shard is written again."""
    meta_path = copy / "meta.json"
    meta = orjson.loads(meta_path.read_bytes())
    indexed = meta.get("indexed")
    for number in range(IMAGES.shards):
        name = f"{number:02d}.json"
        before, after = stamp_of(root / IMAGES.name / name), stamp_of(copy / IMAGES.name / name)
        if before is None or after is None or before[2] != after[2]:
            continue
        if isinstance(indexed, dict) and indexed.get(name[:2]) == list(before):
            indexed[name[:2]] = list(after)
        spans_path = copy / indexes.SPANS / name
        try:
            spans = orjson.loads(spans_path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if isinstance(spans, dict) and spans.get("stamp") == list(before):
            spans["stamp"] = list(after)
            atomic_write(spans_path, orjson.dumps(spans))
    atomic_write(meta_path, orjson.dumps(meta, option=orjson.OPT_INDENT_2))


def backup(root: Path, schema: int) -> Path:
    """Copy the whole catalogue aside before it is changed, so a failed upgrade loses nothing."""
    target = root.with_name(f"{root.name}.backup-schema{schema}-{time.strftime('%Y%m%d%H%M%S')}")
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(".lock", ".*.tmp"))
    return target


def migrate(root: Path, schema: int, steps: dict[int, Migration] | None = None) -> Path | None:
    """Upgrade ``root`` from ``schema`` to SCHEMA_VERSION; returns the backup's path.

    The steps run on a copy built aside, swapped in when all succeeded: an upgrade that fails
    or is killed leaves the old catalogue as it was.
    """
    steps = MIGRATIONS if steps is None else steps
    if schema >= SCHEMA_VERSION:
        return None
    saved = backup(root, schema)
    with swap.building(root) as work:
        shutil.copytree(root, work, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".lock", ".*.tmp"))
        _restamp(root, work)
        for version in range(schema, SCHEMA_VERSION):
            step = steps.get(version)
            if step is None:
                raise CatalogueError(
                    f"{root / 'meta.json'}: schema {version} has no upgrade path; "
                    f"a copy was kept at {saved}"
                )
            step(work)
        meta_path = work / "meta.json"
        meta = orjson.loads(meta_path.read_bytes())
        meta["schema"] = SCHEMA_VERSION
        atomic_write(meta_path, orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        swap.swap_in(work, root)
    return saved
