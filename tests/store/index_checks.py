"""Whether a catalogue's indexes agree with its images, as a fresh reader sees them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import orjson

from ecsimg.store import tables
from ecsimg.store.files import stamp_of
from ecsimg.store.indexes import ROW_FIELDS, SPANS, ListingRow, group_of, is_plain, read_spans
from ecsimg.store.repository import View
from ecsimg.store.tinystore import TinyRepository


def index_disagreements(root: Path) -> list[str]:
    """What the listing rows and share counts say that the images do not (empty: agreed)."""
    with TinyRepository(root).read() as view:
        return view_disagreements(view)


def view_disagreements(view: View, regions: Iterable[str] = ()) -> list[str]:
    """What ``view``'s listing rows and share counts say that its images do not, over the
    regions that hold images and ``regions`` (empty: agreed)."""
    problems: list[str] = []
    images = {image.key: image for image in view.all(tables.IMAGES)}
    for region in {image.region_id for image in images.values()} | set(regions):
        rows = view.listing(region)
        assert rows is not None
        by_key = {row.key: row for row in rows}
        wanted = {key for key, image in images.items() if image.region_id == region}
        if set(by_key) != wanted or len(rows) != len(wanted):
            problems.append(f"{region}: {len(rows)} rows for {len(by_key)} images, "
                            f"{len(wanted)} images")
        for key in set(by_key) & wanted:
            row, image = by_key[key], images[key]
            for name in ROW_FIELDS:
                if getattr(row, name) != getattr(image, name):
                    problems.append(f"{key}: row {name} is {getattr(row, name)!r}")
            if [s.account_id for s in row.shares] != [s.account_id for s in image.shares]:
                problems.append(f"{key}: row shares differ")
        problems += _ordered_disagreements(view, region, rows)
    received = Counter(s.account_id for image in images.values() for s in image.shares)
    counted = view.shares_received(received)
    if counted != dict(received):
        problems.append(f"shares received: index {counted}, images {dict(received)}")
    return problems


def stale_shards(root: Path) -> set[str]:
    """Images shards whose index files do not match them (read from the images meanwhile)."""
    repo = TinyRepository(root)
    with repo.read():
        return repo._stale_shards()


def _ordered_disagreements(view: View, region: str, rows: Iterable[ListingRow]) -> list[str]:
    """What the region's ordered listing says that its listing rows do not."""
    ordered = view.ordered(region)
    if ordered is None:
        return []
    problems: list[str] = []
    newest = sorted(rows, key=lambda row: (row.creation_time, row.image_id), reverse=True)
    if list(ordered.newest()) != newest:
        problems.append(f"{region}: the ordered rows are not the rows newest first")
    counted: Counter[tuple[object, ...]] = Counter()
    for count, row in ordered.groups:
        counted[group_of(row)] += count
    plain = Counter(group_of(row) for row in newest if is_plain(row))
    if counted != plain:
        problems.append(f"{region}: groups count {dict(counted)}, rows {dict(plain)}")
    if sorted(ordered.special) != sorted(row for row in newest if not is_plain(row)):
        problems.append(f"{region}: the rows kept whole are not the rows that are not plain")
    return problems


def spans_disagreements(root: Path) -> list[str]:
    """Spans files that name the images file in place but do not say where its documents
    are (empty: every spans file is right or names another file, and is then unused)."""
    problems: list[str] = []
    for path in sorted((root / "images").glob("*.json")):
        spans_path = root / SPANS / path.name
        if not spans_path.exists():
            continue
        data = path.read_bytes()
        described, lookup = read_spans(spans_path.read_bytes())
        if described != stamp_of(path):
            continue
        for key, doc in orjson.loads(data)["images"].items():
            span = lookup(key)
            if span is None or orjson.loads(data[span[0]:span[1]]) != doc:
                problems.append(f"{path.name}: {key} is not where its spans file says")
    return problems


def unspanned_shards(root: Path) -> set[str]:
    """Images shards whose spans file does not name the file in place (read whole)."""
    found: set[str] = set()
    for path in sorted((root / "images").glob("*.json")):
        spans_path = root / SPANS / path.name
        if not spans_path.exists() or read_spans(spans_path.read_bytes())[0] != stamp_of(path):
            found.add(path.stem)
    return found
