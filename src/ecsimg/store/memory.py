"""Tables in memory: records kept as documents until read, and the collector paused on loads."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ecsimg.domain.errors import CatalogueError
from ecsimg.store.files import Stamp
from ecsimg.store.tables import Table


class LoadedTable:
    """One table in memory: records by key, shard membership, file stamps, group index.

    Records are kept as their JSON documents until first read, then as decoded records: a
    query that looks at a few fields of 100,000 images need not build 100,000 objects.
    """

    def __init__(self, table: Table[Any], locate: Callable[[str], Path]) -> None:
        self.table = table
        self.locate = locate
        self.records: dict[str, Any] = {}
        self.shard_keys: dict[str, set[str]] = {}
        self.stamps: dict[str, Stamp] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.known: set[str] = set()
        """Shards read so far (a shard whose file does not exist counts once looked at)."""
        self.complete = False
        """Every shard is read; until then only ``get`` may be answered, for known shards."""
        self.raw_left = False
        """Some record is still a document (False lets a full read skip looking)."""

    def set(self, key: str, obj: Any) -> None:
        self.records[key] = obj
        self.shard_keys.setdefault(self.table.shard_of(key), set()).add(key)
        group = self.table.group
        if group is not None:
            self.groups.setdefault(group(key), {})[key] = obj

    def bulk_set(self, shard: str, docs: dict[str, Any]) -> None:
        """Add a whole shard's records or documents at once (the load path)."""
        if docs and type(next(iter(docs.values()))) is dict:
            self.raw_left = True
        self.records.update(docs)
        self.shard_keys.setdefault(shard, set()).update(docs)
        group = self.table.group
        if group is not None:
            groups = self.groups
            for key, doc in docs.items():
                name = group(key)
                members = groups.get(name)
                if members is None:
                    members = groups[name] = {}
                members[key] = doc

    def remove(self, key: str) -> None:
        self.records.pop(key, None)
        self.shard_keys.get(self.table.shard_of(key), set()).discard(key)
        if self.table.group is not None:
            self.groups.get(self.table.group(key), {}).pop(key, None)

    def decoded(self, key: str) -> Any:
        """The record under ``key`` (decoded now if it was not yet), or None."""
        value = self.records.get(key)
        if type(value) is dict:
            value = self._decode(key, value)
            self.set(key, value)
        return value

    def decode_all(self, members: dict[str, Any]) -> list[Any]:
        """Every record of ``members`` (the table or one group), decoding those still raw."""
        records = self.records
        whole = members is records
        if whole and not self.raw_left:
            return list(records.values())
        raw = [key for key in members if type(records[key]) is dict]
        if raw:
            group, groups = self.table.group, self.groups
            with collector_paused():
                for key in raw:
                    obj = records[key] = self._decode(key, records[key])
                    if group is not None:
                        groups[group(key)][key] = obj
        if whole:
            self.raw_left = False
        return list(map(records.__getitem__, members))

    def decode_one(self, key: str, doc: dict[str, Any]) -> Any:
        return self._decode(key, doc)

    def _decode(self, key: str, doc: dict[str, Any]) -> Any:
        try:
            return self.table.codec.decode(doc)
        except (TypeError, ValueError, KeyError, AttributeError) as err:
            raise CatalogueError(
                f"{self.locate(self.table.shard_of(key))}: record {key!r} is malformed ({err})"
            ) from None


class LazyRecord:
    """A read-only stand-in for a record still held as its document: fields on demand."""

    __slots__ = ("_defaults", "_doc", "_nested", "key")

    def __init__(self, key: str, doc: dict[str, Any], codec: Any) -> None:
        self.key = key
        self._doc = doc
        self._nested = codec.nested
        self._defaults = codec.defaults

    def __getattr__(self, name: str) -> Any:
        value = self._doc.get(name, _ABSENT)
        if value is _ABSENT:
            try:
                return self._defaults[name]
            except KeyError:
                raise AttributeError(name) from None
        # A nested field is a list while raw, a tuple once the record has been decoded.
        if type(value) is list and name in self._nested:
            return self._nested[name](value)
        return value


_ABSENT = object()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector while records are built, then freeze what exists.

    Loading 100,000 images allocates millions of objects that can hold no cycles; the
    collector would scan them again and again (tripling load time) and, once re-enabled,
    in one long full pass. Frozen objects are still freed when no longer referenced.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
