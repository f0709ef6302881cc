"""What a reader and a transaction of the TinyDB repository see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

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
        self._shard_keys: dict[str, set[str]] = {}
        """The keys of images shards ``get_many`` read whole (the lock held while the view
        lasts keeps them true): a key not among them needs no second read."""

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

    def get_many(self, table: Table[T], keys: Iterable[str]) -> dict[str, T | None]:
        """The records under ``keys`` (None where there is none), read a shard at a time:
        an images shard not in memory is answered from and let go, not kept."""
        by_shard: dict[str, list[str]] = {}
        for key in keys:
            by_shard.setdefault(table.shard_of(key), []).append(key)
        found: dict[str, T | None] = {}
        for shard, shard_keys in by_shard.items():
            if table is not IMAGES or table.name in self._partial or self._repo._holds(
                    table, shard_keys[0]):
                found.update((key, self.get(table, key)) for key in shard_keys)
                continue
            docs: dict[str, Any] = {}
            known = self._shard_keys.get(shard)
            if known is not None and known.isdisjoint(shard_keys):
                found.update((key, None) for key in shard_keys)
                continue
            for key in shard_keys:
                answered, doc = self._repo._read_image(key)
                if not answered:  # no spans describe the file: read it whole, once
                    docs = self._repo._read_shard(table, shard)
                    self._shard_keys[shard] = set(docs)
                    break
                docs[key] = doc
            loaded = self._repo._loaded_table(table)
            for key in shard_keys:
                doc = docs.get(key)
                found[key] = None if doc is None else loaded.decode_one(key, doc)
        return found

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


PACK_AFTER = 2000
"""Images a transaction keeps written as records; past it, each image it writes is kept as
its encoded document only (bytes, by images shard): a load of 130,000 images then holds about
1.3 KB an image instead of the record and its document (see ``Committing._commit``)."""


def _packed(doc: dict[str, Any] | None) -> bytes:
    # Copied: orjson's bytes keep their whole growth buffer (16 KB for a 750-byte image).
    return bytes(memoryview(orjson.dumps(doc)))


class _Tx(_View):
    """Reads see this transaction's own writes; nothing reaches disk until it ends cleanly.

    A transaction ``over`` another reads through that one's writes instead of the last
    commit: a member of a group commit (see ``batching``) sees the members before it.
    """

    def __init__(self, repo: TinyRepository, over: _Tx | None = None) -> None:
        super().__init__(repo)
        self._under: _View = _View(repo) if over is None else over
        self.ops: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.objects: dict[tuple[str, str], Any] = {}
        self.packed: dict[str, dict[str, bytes]] = {}
        """Images written past PACK_AFTER: images shard -> key -> encoded document. A key is
        here or in ``ops``, never both."""
        self._images = 0

    def put(self, table: Table[T], obj: T) -> None:
        key = table.key(obj)
        if table is IMAGES and (self.packed or self._images >= PACK_AFTER):
            self._pack()
            self.ops.pop((table.name, key), None)  # a deletion earlier in the transaction
            self.objects.pop((table.name, key), None)
            self.packed.setdefault(IMAGES.shard_of(key), {})[key] = _packed(
                table.codec.encode(obj))
            return
        if table is IMAGES and (table.name, key) not in self.ops:
            self._images += 1
        self.ops[(table.name, key)] = table.codec.encode(obj)
        self.objects[(table.name, key)] = obj

    def _pack(self) -> None:
        """Move the images written so far (deletions aside) from records to documents."""
        for name, key in [k for k, doc in self.ops.items() if k[0] == IMAGES.name and doc]:
            doc = self.ops.pop((name, key))
            del self.objects[(name, key)]
            self.packed.setdefault(IMAGES.shard_of(key), {})[key] = _packed(doc)

    def delete(self, table: Table[T], key: str) -> None:
        if table is IMAGES:
            self.packed.get(IMAGES.shard_of(key), {}).pop(key, None)
        self.ops[(table.name, key)] = None
        self.objects[(table.name, key)] = None

    def get(self, table: Table[T], key: str) -> T | None:
        if (table.name, key) in self.objects:
            obj: T | None = self.objects[(table.name, key)]
            return obj
        packed = self._packed_record(table, key)
        if packed is not None:
            return packed
        return self._under.get(table, key)

    def get_many(self, table: Table[T], keys: Iterable[str]) -> dict[str, T | None]:
        found: dict[str, T | None] = {}
        rest = []
        for key in keys:
            if (table.name, key) in self.objects:
                found[key] = self.objects[(table.name, key)]
            elif (packed := self._packed_record(table, key)) is not None:
                found[key] = packed
            else:
                rest.append(key)
        base: dict[str, T | None] = self._under.get_many(table, rest)
        found.update(base)
        return found

    def _packed_record(self, table: Table[T], key: str) -> T | None:
        if table is not IMAGES or not self.packed:
            return None
        raw = self.packed.get(IMAGES.shard_of(key), {}).get(key)
        if raw is None:
            return None
        obj: T = self._repo._loaded_table(table).decode_one(key, orjson.loads(raw))
        return obj

    def _changed(self, table: Table[T]) -> dict[str, T | None]:
        changed = {k: o for (n, k), o in self.objects.items() if n == table.name}
        if table is IMAGES:
            for docs in self.packed.values():
                changed.update((key, self._packed_record(table, key)) for key in docs)
        return changed

    def _overlay(self, table: Table[T], base: list[T], group: str | None) -> list[T]:
        changed = self._changed(table)
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
        return self._overlay(table, self._under.all(table), None)

    def group(self, table: Table[T], group: str) -> list[T]:
        return self._overlay(table, self._under.group(table, group), group)

    def listing(self, region_id: str) -> list[ListingRow] | None:
        if self.packed or any(n == IMAGES.name for n, _ in self.objects):
            return None  # the index does not hold this transaction's own writes yet
        return self._under.listing(region_id)

    def ordered(self, region_id: str) -> OrderedListing | None:
        if any(n == IMAGES.name for n, _ in self.objects):
            return None  # the index does not hold this transaction's own writes yet
        return self._under.ordered(region_id)

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        wanted = set(account_ids)
        received = self._under.shares_received(wanted)
        for key, obj in self._changed(IMAGES).items():
            before = self._under.get(IMAGES, key)
            for image, step in ((before, -1), (obj, 1)):
                for share in image.shares if image is not None else ():
                    if share.account_id in received:
                        received[share.account_id] += step
        return received

    def scan(self, table: Table[T], group: str) -> list[T]:
        if (table is IMAGES and self.packed) or any(n == table.name for n, _ in self.objects):
            return self.group(table, group)
        return self._under.scan(table, group)

    def member(self) -> _Tx:
        """A transaction over this one (see ``batching``)."""
        return _Tx(self._repo, over=self)

    def absorb(self, member: _Tx) -> None:
        """Take in the writes of ``member``, a transaction over this one that ended cleanly:
        they are later than this one's, so they win."""
        for (name, key), doc in member.ops.items():
            if name == IMAGES.name:
                self.packed.get(IMAGES.shard_of(key), {}).pop(key, None)
            self.ops[(name, key)] = doc
            self.objects[(name, key)] = member.objects[(name, key)]
        for shard, docs in member.packed.items():
            for key, raw in docs.items():
                self.ops.pop((IMAGES.name, key), None)
                self.objects.pop((IMAGES.name, key), None)
                self.packed.setdefault(shard, {})[key] = raw
        self._images += member._images
