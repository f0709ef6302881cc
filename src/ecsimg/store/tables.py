"""The catalogue's tables: what each holds, its key, its on-disk sharding and grouping."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ecsimg.domain import models as m
from ecsimg.store.codec import Codec, codec_for

T = TypeVar("T")


@dataclass(frozen=True)
class Table(Generic[T]):
    """A table of one entity type; ``shards`` > 1 spreads it over files by key hash."""

    name: str
    cls: type[T]
    key: Callable[[T], str]
    shards: int = 1
    group: Callable[[str], str] | None = None
    """A grouping of keys kept indexed in memory (images by region, from their keys)."""

    @property
    def codec(self) -> Codec[T]:
        return codec_for(self.cls)

    def shard_of(self, key: str) -> str:
        if self.shards == 1:
            return "0"
        return f"{zlib.crc32(key.encode()) % self.shards:02d}"


def _region_of_key(key: str) -> str:
    return key.split("/", 1)[0]


ACCOUNTS = Table("accounts", m.Account, lambda a: a.account_id)
PROFILES = Table("profiles", m.Profile, lambda p: p.name)
ACCESS_KEYS = Table("access_keys", m.AccessKey, lambda k: k.access_key_id)
REGIONS = Table("regions", m.Region, lambda r: r.region_id)
IMAGES = Table("images", m.Image, lambda i: i.key, shards=64, group=_region_of_key)
SNAPSHOTS = Table("snapshots", m.Snapshot, lambda s: s.snapshot_id, shards=8)
DISKS = Table("disks", m.Disk, lambda d: d.disk_id, shards=4)
INSTANCES = Table("instances", m.Instance, lambda i: i.instance_id, shards=4)
INSTANCE_TYPES = Table("instance_types", m.InstanceType, lambda t: t.instance_type_id)
KEY_PAIRS = Table("key_pairs", m.KeyPair, lambda k: f"{k.owner_id}/{k.region_id}/{k.key_pair_name}")
PRODUCTS = Table("products", m.MarketplaceProduct, lambda p: p.product_code)
PURCHASES = Table("purchases", m.Purchase, lambda p: p.purchase_id)
PRICE_BOOK = Table("price_book", m.PriceBook, lambda _: "price_book")
TASKS = Table("tasks", m.Task, lambda t: t.task_id, shards=4)
EVENTS = Table("events", m.Event, lambda e: e.event_id, shards=16)
SETTINGS = Table("settings", m.Settings, lambda _: "settings")

ALL_TABLES: tuple[Table[Any], ...] = (
    ACCOUNTS,
    PROFILES,
    ACCESS_KEYS,
    REGIONS,
    IMAGES,
    SNAPSHOTS,
    DISKS,
    INSTANCES,
    INSTANCE_TYPES,
    KEY_PAIRS,
    PRODUCTS,
    PURCHASES,
    PRICE_BOOK,
    TASKS,
    EVENTS,
    SETTINGS,
)
TABLES_BY_NAME: dict[str, Table[Any]] = {t.name: t for t in ALL_TABLES}
