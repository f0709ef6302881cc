"""The in-memory repository: the Repository contract over dictionaries, for one process.

Records are the immutable domain objects themselves, so nothing is encoded or copied. A
transaction writes to an overlay that is applied on a clean exit and dropped on an exception;
one re-entrant lock serialises readers and writers, so a view sees one commit throughout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ecsimg.domain.models import Image
from ecsimg.store import indexes
from ecsimg.store.columns import Accepted, Column, Derivation, plain
from ecsimg.store.indexes import Listing, ListingRow, OrderedListing
from ecsimg.store.repository import View
from ecsimg.store.tables import IMAGES, Table, region_of

T = TypeVar("T")
R = TypeVar("R")
D = TypeVar("D")
Change = tuple[str, str]
"""A (table name, key) a transaction wrote."""


def listing_row(image: Image) -> ListingRow:
    """The listing row of an image, as the TinyDB index stores it (see ``indexes``)."""
    fields: list[Any] = [getattr(image, name) for name in indexes.ROW_FIELDS]
    fields.append(_recipients(image))
    fields.append(image.key)
    return ListingRow(fields)


class MemoryRepository:
    """A catalogue in memory; thread-safe, gone with the process.

    ``location`` is the folder the catalogue stands for: nothing is written there, but the
    simulated world keeps its files (OSS buckets) beside it, as beside a catalogue folder.
    """

    def __init__(self, location: Path) -> None:
        self._location = Path(location)
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, Any]] = {}
        """Table name -> key -> record."""
        self._groups: dict[str, dict[str, dict[str, Any]]] = {}
        """Table name -> group -> key -> record, for grouped tables (images by region)."""
        self._rows: dict[str, dict[str, ListingRow]] = {}
        """Region -> image key -> listing row."""
        self._listings: dict[str, Listing] = {}
        """Region -> the Listing handed out until a commit changes the region (its memo
        stays valid that long)."""
        self._shared: dict[str, list[str]] = {}
        """Image key -> the accounts it is shared with, for shared images only."""

    # -- the Repository protocol -------------------------------------------------------------

    @property
    def location(self) -> Path:
        return self._location

    @contextmanager
    def read(self) -> Iterator[View]:
        with self._lock:
            yield _MemoryView(self)

    @contextmanager
    def transaction(self) -> Iterator[_MemoryTransaction]:
        with self._lock:
            tx = _MemoryTransaction(self)
            yield tx
            if tx.changes:
                self._apply(tx)

    def preload(self, table: Table[T],
                progress: Callable[[int, int, View], None] | None = None) -> None:
        """Nothing to load: every table is in memory (no partial view is ever reported)."""

    def project(self, table: Table[Any], group: str | None,
                extract: Callable[[str, Any], R | None],
                collect: Callable[[list[R], int, int], None], *,
                cache: str | None = None) -> None:
        """Over the records' documents, collected at once (as one shard); nothing needs
        keeping, so ``cache`` is not used."""
        encode = table.codec.encode
        with self._lock:
            found: list[R] = []
            for key, record in self._records.get(table.name, {}).items():
                if group is not None and (table.group is None or table.group(key) != group):
                    continue
                value = extract(key, encode(record))
                if value is not None:
                    found.append(value)
            collect(found, 1, 1)

    def project_columns(self, table: Table[Any], group: str | None,
                        extract: Callable[[str, Any], list[Any] | None],
                        types: Sequence[Accepted],
                        collect: Callable[[list[Column], int, int], None], *,
                        cache: str | None = None,
                        check: Callable[[list[Column]], bool] | None = None) -> None:
        """``project``'s one part as columns, without distinct values; nothing is kept, so
        the values are passed on as extracted whatever ``types`` or ``check`` says."""
        found: list[list[Any]] = []
        self.project(table, group, extract, lambda part, done, total: found.extend(part))
        collect(plain(found, len(types)), 1, 1)

    def project_derived(self, table: Table[Any], group: str | None,
                        extract: Callable[[str, Any], list[Any] | None],
                        types: Sequence[Accepted], derivation: Derivation[D],
                        collect: Callable[[D, int, int], None], *,
                        cache: str | None = None,
                        check: Callable[[list[Column]], bool] | None = None,
                        only: Collection[str] | None = None,
                        later: list[Callable[[], None]] | None = None) -> None:
        """``project_columns``'s one part (every shard's), derived; nothing is kept (nothing
        is added to ``later``)."""
        self.project_columns(table, group, extract, types,
                             lambda part, done, total: collect(derivation.make(part), done,
                                                               total))

    def field_values(self, table: Table[T], field: str, keys: Iterable[str]) -> dict[str, Any]:
        with self._lock:
            records = self._records.get(table.name, {})
            found: dict[str, Any] = {}
            for key in keys:
                record = records.get(key)
                found[key] = None if record is None else getattr(record, field)
            return found

    def refresh(self) -> bool:
        """Always False: no other process writes to this catalogue."""
        return False

    def is_empty(self) -> bool:
        with self._lock:
            return not any(self._records.values())

    def close(self) -> None:
        """Nothing to release; the records stay readable."""

    # -- reads ---------------------------------------------------------------------------------

    def _get(self, table: Table[T], key: str) -> T | None:
        found: T | None = self._records.get(table.name, {}).get(key)
        return found

    def _all(self, table: Table[T]) -> list[T]:
        return list(self._records.get(table.name, {}).values())

    def _group(self, table: Table[T], group: str) -> list[T]:
        return list(self._groups.get(table.name, {}).get(group, {}).values())

    def _listing(self, region_id: str) -> Listing:
        listing = self._listings.get(region_id)
        if listing is None:
            listing = self._listings[region_id] = Listing(
                self._rows.get(region_id, {}).values())
        return listing

    def _region_rows(self, region_id: str) -> dict[str, ListingRow]:
        return self._rows.get(region_id, {})

    def _shares_received(self, wanted: set[str]) -> dict[str, int]:
        return indexes.count_received(self._shared.values(), wanted)

    # -- committing ----------------------------------------------------------------------------

    def _apply(self, tx: _MemoryTransaction) -> None:
        """Apply a transaction's writes; the derived rows are worked out before anything
        changes, so a record that cannot be indexed leaves the catalogue as it was."""
        derived = {key: None if obj is None else (listing_row(obj), _recipients(obj))
                   for (name, key), obj in tx.changes.items() if name == IMAGES.name}
        for (name, key), obj in tx.changes.items():
            records = self._records.setdefault(name, {})
            group = tx.tables[name].group
            members = (self._groups.setdefault(name, {}).setdefault(group(key), {})
                       if group is not None else None)
            if obj is None:
                records.pop(key, None)
                if members is not None:
                    members.pop(key, None)
            else:
                records[key] = obj
                if members is not None:
                    members[key] = obj
        for key, entry in derived.items():
            region = region_of(key)
            self._listings.pop(region, None)
            region_rows = self._rows.setdefault(region, {})
            if entry is None:
                region_rows.pop(key, None)
            else:
                region_rows[key] = entry[0]
            if entry is not None and entry[1]:
                self._shared[key] = entry[1]
            else:
                self._shared.pop(key, None)


def _recipients(image: Image) -> list[str]:
    return [share.account_id for share in image.shares]


class _MemoryView:
    """What a reader sees: the last commit, for as long as the read lasts."""

    def __init__(self, repo: MemoryRepository) -> None:
        self._repo = repo

    def get(self, table: Table[T], key: str) -> T | None:
        return self._repo._get(table, key)

    def get_many(self, table: Table[T], keys: Iterable[str]) -> dict[str, T | None]:
        return {key: self.get(table, key) for key in keys}

    def all(self, table: Table[T]) -> list[T]:
        return self._repo._all(table)

    def group(self, table: Table[T], group: str) -> list[T]:
        return self._repo._group(table, group)

    def iter_group(self, table: Table[T], group: str) -> Iterator[T]:
        return iter(self.group(table, group))

    def listing(self, region_id: str) -> list[ListingRow] | None:
        return self._repo._listing(region_id)

    def ordered(self, region_id: str) -> OrderedListing | None:
        return OrderedListing([indexes.part_of_rows(self.listing(region_id) or ())])

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        return self._repo._shares_received(set(account_ids))

    def scan(self, table: Table[T], group: str) -> list[T]:
        return self.group(table, group)


class _MemoryTransaction(_MemoryView):
    """Reads see this transaction's own writes; the repository sees none until it ends
    cleanly."""

    def __init__(self, repo: MemoryRepository) -> None:
        super().__init__(repo)
        self.changes: dict[Change, Any] = {}
        """(table name, key) -> the record put, or None for a delete."""
        self.tables: dict[str, Table[Any]] = {}
        """The tables written, by name."""

    def put(self, table: Table[T], obj: T) -> None:
        self.changes[(table.name, table.key(obj))] = obj
        self.tables[table.name] = table

    def delete(self, table: Table[T], key: str) -> None:
        self.changes[(table.name, key)] = None
        self.tables[table.name] = table

    def get(self, table: Table[T], key: str) -> T | None:
        if (table.name, key) in self.changes:
            found: T | None = self.changes[(table.name, key)]
            return found
        return super().get(table, key)

    def all(self, table: Table[T]) -> list[T]:
        return self._overlay(table, super().all(table), None)

    def group(self, table: Table[T], group: str) -> list[T]:
        return self._overlay(table, super().group(table, group), group)

    def listing(self, region_id: str) -> list[ListingRow] | None:
        changed = {key: obj for (name, key), obj in self.changes.items()
                   if name == IMAGES.name and region_of(key) == region_id}
        if not changed:
            return super().listing(region_id)
        rows = dict(self._repo._region_rows(region_id))
        for key, obj in changed.items():
            if obj is None:
                rows.pop(key, None)
            else:
                rows[key] = listing_row(obj)
        return Listing(rows.values())

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        wanted = set(account_ids)
        received = super().shares_received(wanted)
        for (name, key), obj in self.changes.items():
            if name != IMAGES.name:
                continue
            before = self._repo._get(IMAGES, key)
            for image, step in ((before, -1), (obj, 1)):
                for share in image.shares if image is not None else ():
                    if share.account_id in received:
                        received[share.account_id] += step
        return received

    def _overlay(self, table: Table[T], base: list[T], group: str | None) -> list[T]:
        """``base`` with this transaction's writes to ``table`` (in ``group``) applied."""
        changed = {key: obj for (name, key), obj in self.changes.items() if name == table.name}
        if not changed:
            return base
        merged = {table.key(obj): obj for obj in base}
        for key, obj in changed.items():
            if obj is None or (group is not None and table.group is not None
                               and table.group(key) != group):
                merged.pop(key, None)
            else:
                merged[key] = obj
        return list(merged.values())
