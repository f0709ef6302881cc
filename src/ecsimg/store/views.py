"""What a reader and a transaction of the TinyDB repository see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ecsimg.store.indexes import ListingRow, OrderedListing
from ecsimg.store.memory import LazyRecord, LoadedTable, collector_paused
from ecsimg.store.tables import IMAGES, Table

if TYPE_CHECKING:
    from ecsimg.store.tinystore import TinyRepository

T = TypeVar("T")


class _View:
    def __init__(self, repo: TinyRepository, partial: dict[str, LoadedTable] | None = None) -> None:
        self._repo = repo
        self._partial = partial or {}

    def _table(self, table: Table[Any]) -> LoadedTable:
        return self._partial.get(table.name) or self._repo._load(table)

    def get(self, table: Table[T], key: str) -> T | None:
        source = self._partial.get(table.name)
        if source is None and table is IMAGES and not self._repo._holds(table, key):
            # One image of a shard not in memory: read its bytes only, decode it, keep nothing
            # (a page of 100 images would otherwise parse and decode most of the catalogue).
            answered, doc = self._repo._read_image(key)
            if answered:
                found: T | None = None if doc is None else (
                    self._repo._loaded_table(table).decode_one(key, doc))
                return found
        source = source or self._repo._load_key(table, key)
        obj: T | None = source.decoded(key)
        return obj

    def all(self, table: Table[T]) -> list[T]:
        loaded = self._table(table)
        return loaded.decode_all(loaded.records)

    def group(self, table: Table[T], group: str) -> list[T]:
        loaded = self._table(table)
        return loaded.decode_all(loaded.groups.get(group, {}))

    def iter_group(self, table: Table[T], group: str) -> Iterator[T]:
        return iter(self.group(table, group))

    def listing(self, region_id: str) -> list[ListingRow] | None:
        """The region's images as listing rows, from the index (see ``indexes``)."""
        return self._repo._listing(region_id)

    def ordered(self, region_id: str) -> OrderedListing | None:
        """The region's listing rows newest first, read as far as needed (see ``indexes``)."""
        return self._repo._ordered(region_id)

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        """How many images each account receives, over every region, from the index."""
        return self._repo._shares_received(set(account_ids))

    def scan(self, table: Table[T], group: str) -> list[T]:
        """The group's records for reading fields only: records not decoded yet come as
        stand-ins that decode one field at a time. Use ``get`` for the record itself."""
        loaded = self._table(table)
        codec = table.codec
        with collector_paused():
            return [
                LazyRecord(key, value, codec) if type(value) is dict else value  # type: ignore[misc]
                for key, value in loaded.groups.get(group, {}).items()
            ]


class _Tx(_View):
    """Reads see this transaction's own writes; nothing reaches disk until it ends cleanly."""

    def __init__(self, repo: TinyRepository) -> None:
        super().__init__(repo)
        self.ops: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.objects: dict[tuple[str, str], Any] = {}

    def put(self, table: Table[T], obj: T) -> None:
        key = table.key(obj)
        self.ops[(table.name, key)] = table.codec.encode(obj)
        self.objects[(table.name, key)] = obj

    def delete(self, table: Table[T], key: str) -> None:
        self.ops[(table.name, key)] = None
        self.objects[(table.name, key)] = None

    def get(self, table: Table[T], key: str) -> T | None:
        if (table.name, key) in self.objects:
            obj: T | None = self.objects[(table.name, key)]
            return obj
        return super().get(table, key)

    def _overlay(self, table: Table[T], base: list[T], group: str | None) -> list[T]:
        changed = {k: o for (n, k), o in self.objects.items() if n == table.name}
        if not changed:
            return base
        merged = {table.key(obj): obj for obj in base}
        for key, obj in changed.items():
            if obj is None or (
                group is not None and table.group is not None and table.group(key) != group
            ):
                merged.pop(key, None)
            else:
                merged[key] = obj
        return list(merged.values())

    def all(self, table: Table[T]) -> list[T]:
        return self._overlay(table, super().all(table), None)

    def group(self, table: Table[T], group: str) -> list[T]:
        return self._overlay(table, super().group(table, group), group)

    def listing(self, region_id: str) -> list[ListingRow] | None:
        if any(n == IMAGES.name for n, _ in self.objects):
            return None  # the index does not hold this transaction's own writes yet
        return super().listing(region_id)

    def ordered(self, region_id: str) -> OrderedListing | None:
        if any(n == IMAGES.name for n, _ in self.objects):
            return None  # the index does not hold this transaction's own writes yet
        return super().ordered(region_id)

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        wanted = set(account_ids)
        received = super().shares_received(wanted)
        for (name, key), obj in self.objects.items():
            if name != IMAGES.name:
                continue
            before = super().get(IMAGES, key)
            for image, step in ((before, -1), (obj, 1)):
                for share in image.shares if image is not None else ():
                    if share.account_id in received:
                        received[share.account_id] += step
        return received

    def scan(self, table: Table[T], group: str) -> list[T]:
        if any(n == table.name for n, _ in self.objects):
            return self.group(table, group)
        return super().scan(table, group)
