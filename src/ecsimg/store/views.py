"""What a reader and a transaction of the TinyDB repository see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ecsimg.store.memory import LazyRecord, LoadedTable, collector_paused
from ecsimg.store.tables import Table

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
        source = self._partial.get(table.name) or self._repo._load_key(table, key)
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

    def scan(self, table: Table[T], group: str) -> list[T]:
        if any(n == table.name for n, _ in self.objects):
            return self.group(table, group)
        return super().scan(table, group)
