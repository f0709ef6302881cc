"""The repository's half of the indexes (see ``indexes``): reading them, checking them against
the images they were derived from, and the operations that repair a stale one."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import indexes
from ecsimg.store.files import Stamp, check_folder, read_bytes, read_start, spans_of, stamp_of
from ecsimg.store.indexes import Listing, ListingRow, OrderedListing
from ecsimg.store.memory import collector_paused
from ecsimg.store.tables import IMAGE_ROWS, IMAGE_SHARES, IMAGES, Table, region_of, region_prefix

_ROWS_START = 1 << 16
"""Bytes of a rows file read at first: its summary and the rows a first page needs."""
INDEXED = "indexed"
"""The meta.json field: images shard -> the stamp of the file the indexes were derived from."""


def image_shards() -> list[str]:
    return [f"{n:02d}" for n in range(IMAGES.shards)]


class Indexing:
    """Index reads and repairs of TinyRepository (its lock is held by the caller)."""

    root: Path
    _meta: dict[str, Any]
    _pending: dict[str, dict[str, dict[str, Any] | None]]
    _listing_cache: dict[str, tuple[Any, Listing]]
    _row_cache: dict[str, tuple[Stamp, list[Any]]]
    """Rows (and share entries) of index files by name, kept while the file is unchanged."""
    _span_cache: dict[str, tuple[Stamp, indexes.SpanLookup]]
    _part_cache: dict[str, tuple[Stamp, indexes.RowsPart]]
    """Rows files read lazily, by name, kept while the file is unchanged."""

    def _read_shard(self, table: Table[Any], shard: str) -> dict[str, Any]:
        raise NotImplementedError

    def _shard_path(self, table: Table[Any], shard: str) -> Path:
        raise NotImplementedError

    def _stale_shards(self, check_index_files: bool = True) -> set[str]:
        """Images shards whose index entries cannot be trusted: the file changed since the
        indexes were derived from it, or (``check_index_files``) an index file that
        meta.json lists is missing; a reader checks only the index files it reads."""
        recorded = self._meta.get(INDEXED)
        stale: set[str] = set()
        for name in (IMAGES.name, IMAGE_ROWS.name, IMAGE_SHARES.name, indexes.SPANS):
            check_folder(self.root / name)  # a link is refused, never followed
        folder = os.path.join(self.root, IMAGES.name)
        for shard in image_shards():
            stamp = stamp_of(os.path.join(folder, f"{shard}.json"))
            if recorded is None:
                if stamp is not None:
                    stale.add(shard)
                continue
            seen = recorded.get(shard)
            if (tuple(seen) if seen is not None else None) != stamp:
                stale.add(shard)
        if not check_index_files:
            return stale
        listed = self._meta.get("shards", {})
        for table in (IMAGE_ROWS, IMAGE_SHARES):
            try:
                present = {name[:-5] for name in os.listdir(self.root / table.name)
                           if name.endswith(".json")}
            except OSError:
                present = set()
            for name in set(listed.get(table.name, ())) - present:
                stale.add(name.rsplit("~", 1)[-1])
        return stale

    def _index_stamps(self, stale: set[str]) -> dict[str, list[int] | None]:
        """The ``indexed`` field once ``stale`` shards are repaired."""
        recorded = dict(self._meta.get(INDEXED) or {})
        for shard in stale:
            stamp = stamp_of(self._shard_path(IMAGES, shard))
            recorded[shard] = list(stamp) if stamp is not None else None
        return recorded

    def _repair_ops(self, shard: str) -> list[list[Any]]:
        """Operations that rewrite the index entries of stale images shard ``shard`` from its
        images (a commit asks shard by shard: only one shard's images are in memory)."""
        images = self._read_shard(IMAGES, shard)
        shared = self._read_index(IMAGE_SHARES, shard)
        rows: dict[str, Any] = {}
        for region_shard in self._row_shards_of(shard):
            rows.update(self._read_index(IMAGE_ROWS, region_shard))
        return indexes.rebuild_ops(shard, images, rows, shared)

    def _read_index(self, table: Table[Any], shard: str) -> dict[str, Any]:
        """An index shard's entries; none when its file is gone (it is being repaired)."""
        if stamp_of(self._shard_path(table, shard)) is None and not self._pending.get(table.name):
            return {}
        return self._read_shard(table, shard)

    def _row_shards_of(self, shard: str) -> list[str]:
        folder = self.root / IMAGE_ROWS.name
        found = {p.stem for p in folder.glob(f"*~{shard}.json")} if folder.is_dir() else set()
        listed = self._meta.get("shards", {}).get(IMAGE_ROWS.name, ())
        found |= {name for name in listed if name.endswith(f"~{shard}")}
        found |= {IMAGE_ROWS.shard_of(key) for key in self._pending.get(IMAGE_ROWS.name, {})
                  if IMAGES.shard_of(key) == shard}
        return sorted(found)

    def _spans(self, shard: str, stamp: Stamp, fd: int) -> indexes.SpanLookup | None:
        """Where each image sits in images shard ``shard`` whose file (open as ``fd``) has
        ``stamp``; None when they cannot be known (then the shard is read whole)."""
        cached = self._span_cache.get(shard)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        path = self.root / indexes.SPANS / f"{shard}.json"
        lookup: indexes.SpanLookup | None = None
        try:
            if stamp_of(path) is not None:
                described, lookup = indexes.read_spans(read_bytes(path))
                if described != stamp:
                    lookup = None
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            lookup = None  # a damaged spans file only costs working them out again
        if lookup is None:
            # No spans describe this very file (a copied catalogue, until its next commit
            # writes them): worked out from the file itself, once, when it is laid out as
            # ecsimg writes it.
            spans = spans_of(os.pread(fd, stamp[2], 0))
            if spans is None:
                return None
            lookup = spans.get
        self._span_cache[shard] = (stamp, lookup)
        return lookup

    def _read_image(self, key: str) -> tuple[bool, dict[str, Any] | None]:
        """(answered, the stored document of one image or None if there is none), reading
        only its bytes; not answered when it cannot be read that way (read the shard)."""
        if self._pending.get(IMAGES.name):
            return False, None
        shard = IMAGES.shard_of(key)
        path = self._shard_path(IMAGES, shard)
        check_folder(path.parent)
        check_folder(self.root / indexes.SPANS)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return False, None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return False, None
            spans = self._spans(shard, (st.st_ino, st.st_mtime_ns, st.st_size), fd)
            if spans is None:
                return False, None
            span = spans(key)
            if span is None:
                return True, None
            start, end = span
            doc = orjson.loads(os.pread(fd, end - start, start))
        except (OSError, orjson.JSONDecodeError, TypeError, ValueError):
            return False, None
        finally:
            os.close(fd)
        return (True, doc) if isinstance(doc, dict) else (False, None)

    # -- what readers ask ----------------------------------------------------------------------

    def _listing(self, region_id: str) -> Listing:
        """Every image of the region as a listing row, from the index where it is fresh."""
        stale = self._stale_shards(check_index_files=False)
        prefix = region_prefix(region_id)
        pending = bool(self._pending.get(IMAGE_ROWS.name))
        listed_names = set(self._meta.get("shards", {}).get(IMAGE_ROWS.name, ()))
        stamps = {}
        check_folder(self.root / IMAGE_ROWS.name)
        folder = os.path.join(self.root, IMAGE_ROWS.name)
        for shard in image_shards():
            name = f"{prefix}~{shard}"
            stamp = stamp_of(os.path.join(folder, f"{name}.json"))
            if stamp is None and name in listed_names:
                stale.add(shard)  # an index file gone: read that shard's images instead
            stamps[shard] = stamp
        signature = (tuple(sorted(stamps.items(), key=lambda item: item[0])), frozenset(stale))
        cached = self._listing_cache.get(region_id)
        if cached is not None and cached[0] == signature and not pending and not stale:
            return cached[1]
        with collector_paused():  # 100,000 rows hold no cycles to look for
            listing = self._read_listing(region_id, stamps, stale, pending)
        if not pending and not stale:
            self._listing_cache[region_id] = (signature, listing)
        return listing

    def _ordered(self, region_id: str) -> OrderedListing:
        """The region's rows newest first, each rows file parsed only as far as it is read."""
        prefix = region_prefix(region_id)
        if self._pending.get(IMAGE_ROWS.name) or prefix != region_id:
            # Rows from a journal read in memory, or a file shared by regions named by hash.
            return OrderedListing([indexes.part_of_rows(self._listing(region_id))])
        stale = self._stale_shards(check_index_files=False)
        listed_names = set(self._meta.get("shards", {}).get(IMAGE_ROWS.name, ()))
        check_folder(self.root / IMAGE_ROWS.name)
        folder = os.path.join(self.root, IMAGE_ROWS.name)
        parts: list[indexes.RowsPart] = []
        for shard in image_shards():
            name = f"{prefix}~{shard}"
            path = os.path.join(folder, f"{name}.json")
            stamp = stamp_of(path) if shard not in stale else None
            if stamp is None and (shard in stale or name in listed_names):
                # Stale, or its index file gone: that shard's images stand in for its rows.
                docs = self._read_shard(IMAGES, shard)
                parts.append(indexes.part_of_rows(
                    indexes.row_of(key, doc) for key, doc in docs.items()
                    if region_of(key) == region_id))
                continue
            if stamp is None:
                continue
            kept = self._part_cache.get(name)
            if kept is not None and kept[0] == stamp:
                parts.append(kept[1])
                continue
            try:
                part = self._rows_part(Path(path), stamp)
            except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                part = None
            if part is None:  # laid out otherwise, or damaged: read whole (or refused)
                part = indexes.part_of_rows(indexes.rows_of(self._read_shard(IMAGE_ROWS, name)))
            self._part_cache[name] = (stamp, part)
            parts.append(part)
        return OrderedListing(parts)

    @staticmethod
    def _rows_part(path: Path, stamp: Stamp) -> indexes.RowsPart | None:
        """A rows file read from its start, the rest when a listing reads that far."""
        start = read_start(path, _ROWS_START)
        if len(start) < _ROWS_START:
            return indexes.read_rows_part(start, source=str(path))

        def rest() -> bytes:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                st = os.fstat(fd)
                if (st.st_ino, st.st_mtime_ns, st.st_size) != stamp:
                    raise CatalogueError(f"{path}: changed while it was read; try again")
                return os.pread(fd, st.st_size, 0)
            finally:
                os.close(fd)

        part = indexes.read_rows_part(start, rest, source=str(path))
        return part if part is not None else indexes.read_rows_part(rest(), source=str(path))

    def _read_listing(self, region_id: str, stamps: dict[str, Stamp | None], stale: set[str],
                      pending: bool) -> Listing:
        prefix = region_prefix(region_id)
        listed: list[ListingRow] = []
        for shard in image_shards():
            if shard in stale:
                docs = self._read_shard(IMAGES, shard)
                listed.extend(indexes.row_of(key, doc) for key, doc in docs.items()
                              if region_of(key) == region_id)
                continue
            name, stamp = f"{prefix}~{shard}", stamps[shard]
            if stamp is None and not pending:
                continue
            kept = self._row_cache.get(name)
            if kept is not None and kept[0] == stamp and not pending:
                listed.extend(kept[1])
                continue
            rows = indexes.rows_of(self._read_shard(IMAGE_ROWS, name))
            if prefix != region_id:  # a region named by a hash: others may share the name
                rows = [row for row in rows if row.region_id == region_id]
            if stamp is not None and not pending:
                self._row_cache[name] = (stamp, rows)
            listed.extend(rows)
        return Listing(listed)

    def _shares_received(self, wanted: set[str]) -> dict[str, int]:
        """How many images each account of ``wanted`` receives, over every region (Rule 52)."""
        stale = self._stale_shards(check_index_files=False)
        listed = set(self._meta.get("shards", {}).get(IMAGE_SHARES.name, ()))
        shared: list[list[str]] = []
        folder = os.path.join(self.root, IMAGE_SHARES.name)
        pending = bool(self._pending.get(IMAGE_SHARES.name))
        for shard in image_shards():
            # Asked on every share that adds an account: one stat a shard, no Path objects.
            stamp = stamp_of(os.path.join(folder, f"{shard}.json"))
            gone = shard in listed and stamp is None
            if shard in stale or gone:
                for doc in self._read_shard(IMAGES, shard).values():
                    entry = indexes.shares_doc(doc)
                    if entry is not None:
                        shared.append(entry["a"])
                continue
            name = f"{IMAGE_SHARES.name}/{shard}"
            kept = self._row_cache.get(name)
            if kept is not None and kept[0] == stamp and not pending:
                shared.extend(kept[1])
                continue
            accounts = [doc["a"] for doc in self._read_index(IMAGE_SHARES, shard).values()]
            if stamp is not None and not pending:
                self._row_cache[name] = (stamp, accounts)
            shared.extend(accounts)
        return indexes.count_received(shared, wanted)
