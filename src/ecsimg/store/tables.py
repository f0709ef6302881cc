"""The catalogue's tables: what each holds, its key, its on-disk sharding and grouping."""

from __future__ import annotations

import re
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


def region_of(key: str) -> str:
    return key.split("/", 1)[0]


ACCOUNTS = Table("accounts", m.Account, lambda a: a.account_id)
PROFILES = Table("profiles", m.Profile, lambda p: p.name)
ACCESS_KEYS = Table("access_keys", m.AccessKey, lambda k: k.access_key_id)
REGIONS = Table("regions", m.Region, lambda r: r.region_id)
IMAGES = Table("images", m.Image, lambda i: i.key, shards=64, group=region_of)
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
SETTINGS = Table("settings", m.CatalogueSettings, lambda _: "settings")

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

_SAFE_REGION = re.compile(r"[a-z0-9-]{1,60}")


def region_prefix(region_id: str) -> str:
    """The part of a rows shard's name that names the region (a safe file name)."""
    if _SAFE_REGION.fullmatch(region_id):
        return region_id
    return f"x{zlib.crc32(region_id.encode()):08x}"


@dataclass(frozen=True)
class _RowsTable(Table[dict[str, Any]]):
    """Rows sharded by region, then as the images are."""

    def shard_of(self, key: str) -> str:
        return f"{region_prefix(region_of(key))}~{IMAGES.shard_of(key)}"


IMAGE_ROWS: Table[Any] = _RowsTable("image_rows", dict, lambda _: "", shards=IMAGES.shards)
IMAGE_SHARES: Table[Any] = Table("image_shares", dict, lambda _: "", shards=IMAGES.shards)
INDEX_TABLES: tuple[Table[Any], ...] = (IMAGE_ROWS, IMAGE_SHARES)
"""Derived tables (see ``indexes``): kept by the repository, never put by the service."""
TABLES_BY_NAME: dict[str, Table[Any]] = {t.name: t for t in (*ALL_TABLES, *INDEX_TABLES)}
