"""Schema versions of the catalogue folder and the steps that upgrade an older one."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import swap
from ecsimg.store.files import atomic_write

SCHEMA_VERSION = 1
"""The schema this ecsimg writes."""

Migration = Callable[[Path], None]
MIGRATIONS: dict[int, Migration] = {}
"""Step from schema N to N+1, keyed by N; each rewrites the files of the copy it is given."""


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
