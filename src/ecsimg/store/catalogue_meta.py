"""``meta.json``: what a catalogue folder says it is, read and checked before anything else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import indexes, journal, migrations
from ecsimg.store.files import TEMP_SUFFIX, read_json, stamp_of
from ecsimg.store.tables import TABLES_BY_NAME

FORMAT = "ecsimg-catalogue"


def read_meta(root: Path) -> dict[str, Any]:
    """The catalogue's ``meta.json``, checked; that of an empty catalogue when there is none;
    CatalogueError naming the file (or a foreign folder) otherwise."""
    meta_path = root / journal.META
    if stamp_of(meta_path) is None:
        strays = [p.name for p in root.iterdir()
                  if not p.name.startswith(".") and not _first_commit_leftover(p)] if (
            root.is_dir()) else []
        if strays and journal.JOURNAL not in strays:
            raise CatalogueError(
                f"{root}: not an ecsimg catalogue (no meta.json, but it holds "
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
    shards = meta.get("shards", {})
    if not isinstance(shards, dict) or not all(
            isinstance(v, list) and all(isinstance(n, str) for n in v)
            for v in shards.values()):
        raise CatalogueError(f"{meta_path}: the list of shards is malformed")
    return meta


def _first_commit_leftover(path: Path) -> bool:
    """A table folder that a first commit, killed before its commit point, made and left
    holding nothing but its own hidden temporary files: not a sign of a foreign folder."""
    if (path.name not in TABLES_BY_NAME and path.name != indexes.SPANS) or path.is_symlink() \
            or not path.is_dir():
        return False
    return all(p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX) for p in path.iterdir())
