"""The account's cache: its identity records, and what a sync or a response tells it.

The cache is a catalogue folder like the demo's, read by the same read models; only this
module and the cloud backend write it. Secrets never reach it: the records hold IDs, names
and the account UID, and events hold the call's parameters with passwords masked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterable
from typing import Any

from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.convert import (
    Parsed,
    image_records,
    parse_listing,
    pending_progress,
    with_progress,
)
from ecsimg.cloud.sync import ACCOUNT, SyncResult
from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.service.machinery.context import Context
from ecsimg.store import tables
from ecsimg.store.repository import Repository, Transaction, View

SYNCED_KEY = "settings"
"""The cache's settings record; its ``current_profile`` names the cloud profile."""
PRICE_BOOK_KEY = "price_book"
"""The key of the price book record (one per catalogue)."""
SYNC_ACTION = "ecsimg:Sync"
"""The activity log's name for a sync (an ecsimg action, never an API one)."""


def identity(repo: Repository, source_name: str) -> m.Profile | None:
    """The cached profile of ``source_name`` (known once the account UID was learned)."""
    with repo.read() as view:
        return view.get(tables.PROFILES, source_name)


def remember_identity(repo: Repository, source_name: str, account_id: str, region_id: str,
                      account_name: str) -> m.Profile:
    """Write the account and profile records the read models need."""
    profile = m.Profile(source_name, account_id, region_id)
    with repo.transaction() as tx:
        if tx.get(tables.ACCOUNTS, account_id) is None:
            tx.put(tables.ACCOUNTS, m.Account(account_id, account_name, image_quota=None))
        tx.put(tables.PROFILES, profile)
        settings = tx.get(tables.SETTINGS, SYNCED_KEY) or m.CatalogueSettings()
        tx.put(tables.SETTINGS, dataclasses.replace(settings, current_profile=source_name))
    return profile


def settle_account(repo: Repository, account_id: str, book: m.PriceBook | None) -> None:
    """What the cache holds beside the account's records: no image quota (no ECS API reports
    it, so the real DryRun checks it), and the user's price book or none (the config file
    decides at every open, so a book removed there is gone here too)."""
    with repo.read() as view:
        account = view.get(tables.ACCOUNTS, account_id)
        held = view.get(tables.PRICE_BOOK, PRICE_BOOK_KEY)
    quota_known = account is not None and account.image_quota is not None
    if not quota_known and held == book:
        return  # an open with nothing to change writes nothing
    with repo.transaction() as tx:
        account = tx.get(tables.ACCOUNTS, account_id)
        if account is not None and account.image_quota is not None:
            tx.put(tables.ACCOUNTS, dataclasses.replace(account, image_quota=None))
        if book is None:
            tx.delete(tables.PRICE_BOOK, PRICE_BOOK_KEY)
        else:
            tx.put(tables.PRICE_BOOK, book)


def last_sync(repo: Repository) -> float | None:
    """When a sync last finished, from its event in the activity log; None if never."""
    with repo.read() as view:
        synced = [e for e in view.all(tables.EVENTS) if e.action == SYNC_ACTION]
    if not synced:
        return None
    newest = max(synced, key=lambda e: e.event_id)
    return float(newest.event_id.split("-", 1)[0])



def store_sync(ctx: Context, result: SyncResult, parsed: Parsed | None = None
               ) -> dict[str, int]:
    """Replace the synced regions' records with what the sync read; other regions are kept.

    ``parsed`` holds image listings already parsed while the sync was still reading.
    """
    counts = {"images": 0, "instances": 0, "disks": 0, "snapshots": 0, "instance_types": 0}
    owner = ctx.account_id
    if not result.regions:
        return counts  # nothing was read to the end: the cache stays as it was
    with ctx.repo.transaction() as tx:
        for region_id in result.regions:
            _drop_region(tx, region_id)
        for body in result.pages.get(ACCOUNT, {}).get("regions", []):
            _put_regions(tx, body)
        _put_regions_seen(tx, result)
        images = image_records(result, ctx, tx, parsed)
        for image in images:
            tx.put(tables.IMAGES, image)
        counts["images"] = len(images)
        for region_id in result.regions:
            kinds = result.pages[region_id]
            for item in _items(kinds, "instances", ("Instances", "Instance")):
                tx.put(tables.INSTANCES, instance_record(item, region_id, owner))
                counts["instances"] += 1
            for item in _items(kinds, "disks", ("Disks", "Disk")):
                tx.put(tables.DISKS, disk_record(item, region_id, owner))
                counts["disks"] += 1
            for item in _items(kinds, "snapshots", ("Snapshots", "Snapshot")):
                tx.put(tables.SNAPSHOTS, snapshot_record(item, region_id, owner))
                counts["snapshots"] += 1
        types = _items(result.pages.get(ACCOUNT, {}), "instance_types",
                       ("InstanceTypes", "InstanceType"))
        for item in types:
            tx.put(tables.INSTANCE_TYPES, instance_type_record(item))
        counts["instance_types"] = len(types)
        now = time.time()
        params = {"RegionIds": ",".join(result.regions)[:2000],
                  **{k: str(v) for k, v in counts.items()}}
        code = "Success" if not result.failures else "PartialFailure"
        tx.put(tables.EVENTS, m.Event(f"{now:017.6f}-sync", iso(now), ctx.profile.name, owner,
                                      SYNC_ACTION, params, code, ""))
    return counts


def put_regions(ctx: Context, body: dict[str, Any]) -> None:
    """The regions a DescribeRegions answer lists (so images can be parsed before the end)."""
    with ctx.repo.transaction() as tx:
        for item in plan.items(plan.regions_listing(), body):
            if item.get("RegionId") and tx.get(tables.REGIONS, str(item["RegionId"])) != \
                    region_record(item):
                tx.put(tables.REGIONS, region_record(item))


class EarlyParser:
    """Parses each image listing as the sync finishes it, while other pages are in flight."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.parsed: Parsed = {}

    def __call__(self, region_id: str, kind: str, pages: list[dict[str, Any]]) -> None:
        if kind == "regions" and pages:
            put_regions(self.ctx, pages[0])
            return
        if not kind.startswith("images:"):
            return
        from ecsimg.cloud.errors import BadResponse

        # A page that cannot be parsed is parsed again when stored, where it fails the sync.
        with self.ctx.repo.read() as view, contextlib.suppress(BadResponse):
            self.parsed[(region_id, kind)] = parse_listing(region_id, kind, pages, self.ctx,
                                                           view)


def _items(kinds: dict[str, list[dict[str, Any]]], kind: str, at: tuple[str, str]
           ) -> list[dict[str, Any]]:
    listing = plan.Listing(kind, kind, (), "", "none", at)
    return [item for body in kinds.get(kind, []) for item in plan.items(listing, body)]


def _drop_region(tx: Transaction, region_id: str) -> None:
    for image in tx.group(tables.IMAGES, region_id):
        tx.delete(tables.IMAGES, image.key)
    for instance in tx.all(tables.INSTANCES):
        if instance.region_id == region_id:
            tx.delete(tables.INSTANCES, instance.instance_id)
    for disk in tx.all(tables.DISKS):
        if disk.region_id == region_id:
            tx.delete(tables.DISKS, disk.disk_id)
    for snapshot in tx.all(tables.SNAPSHOTS):
        if snapshot.region_id == region_id:
            tx.delete(tables.SNAPSHOTS, snapshot.snapshot_id)


def _put_regions(tx: Transaction, body: dict[str, Any]) -> None:
    for item in plan.items(plan.regions_listing(), body):
        region_id = str(item.get("RegionId") or "")
        if region_id:
            tx.put(tables.REGIONS, region_record(item))


def _put_regions_seen(tx: Transaction, result: SyncResult) -> None:
    """A region the sync read but whose record is missing still gets one (images need it)."""
    for region_id in result.regions:
        if tx.get(tables.REGIONS, region_id) is None:
            tx.put(tables.REGIONS, region_record({"RegionId": region_id}))


def region_record(item: dict[str, Any]) -> m.Region:
    region_id = str(item["RegionId"])
    return m.Region(region_id, str(item.get("LocalName") or region_id),
                    region_id.startswith("cn-") and region_id != "cn-hongkong",
                    str(item.get("RegionEndpoint") or ""))


def _text(item: dict[str, Any], key: str, default: str = "") -> str:
    value = item.get(key)
    return default if value is None else str(value)


def _number(item: dict[str, Any], key: str) -> int:
    try:
        return int(float(str(item.get(key) or 0)))
    except ValueError:
        return 0


def _flag(item: dict[str, Any], key: str) -> bool:
    value = item.get(key)
    return value is True or str(value).lower() == "true"


def instance_record(item: dict[str, Any], region_id: str, owner: str) -> m.Instance:
    addresses = (item.get("VpcAttributes") or {}).get("PrivateIpAddress") or {}
    ips = addresses.get("IpAddress") if isinstance(addresses, dict) else None
    locks = (item.get("OperationLocks") or {}).get("LockReason") or []
    charge = _text(item, "InstanceChargeType", "PostPaid")
    return m.Instance(
        instance_id=_text(item, "InstanceId"), region_id=region_id, owner_id=owner,
        instance_name=_text(item, "InstanceName"), instance_type=_text(item, "InstanceType"),
        image_id=_text(item, "ImageId"), status=_text(item, "Status", "Running"),
        os_type=_text(item, "OSType", "linux"), creation_time=_text(item, "CreationTime"),
        charge_type="PrePaid" if charge == "PrePaid" else "PostPaid",
        key_pair_name=_text(item, "KeyPairName"),
        private_ip=str(ips[0]) if isinstance(ips, list) and ips else "",
        locked_for_security=any(isinstance(r, dict) and r.get("LockReason") == "security"
                                for r in locks),
        zone_id=_text(item, "ZoneId"), os_name=_text(item, "OSName"),
    )


def disk_record(item: dict[str, Any], region_id: str, owner: str) -> m.Disk:
    return m.Disk(
        disk_id=_text(item, "DiskId"), region_id=region_id, owner_id=owner,
        disk_type="system" if _text(item, "Type", "data").lower() == "system" else "data",
        category=_text(item, "Category", "cloud_essd"), size=_number(item, "Size"),
        creation_time=_text(item, "CreationTime"), instance_id=_text(item, "InstanceId"),
        device=_text(item, "Device"), image_id=_text(item, "ImageId"),
        status=_text(item, "Status", "In_use"), encrypted=_flag(item, "Encrypted"),
        disk_name=_text(item, "DiskName"), source_snapshot_id=_text(item, "SourceSnapshotId"),
    )


def snapshot_record(item: dict[str, Any], region_id: str, owner: str) -> m.Snapshot:
    return m.Snapshot(
        snapshot_id=_text(item, "SnapshotId"), region_id=region_id, owner_id=owner,
        source_disk_id=_text(item, "SourceDiskId"),
        source_disk_type="system" if _text(item, "SourceDiskType").lower() == "system"
        else "data",
        size=_number(item, "SourceDiskSize"), creation_time=_text(item, "CreationTime"),
        snapshot_name=_text(item, "SnapshotName"), encrypted=_flag(item, "Encrypted"),
        automatic=_text(item, "SnapshotType") == "auto", description=_text(item, "Description"),
    )


def instance_type_record(item: dict[str, Any]) -> m.InstanceType:
    try:
        memory = float(item.get("MemorySize") or 0)
    except (TypeError, ValueError):
        memory = 0.0
    type_id = _text(item, "InstanceTypeId")
    return m.InstanceType(
        instance_type_id=type_id,
        family=_text(item, "InstanceTypeFamily", type_id.rsplit(".", 1)[0]),
        cpu_core_count=_number(item, "CpuCoreCount"), memory_size=memory,
        architecture="ARM" if _text(item, "CpuArchitecture").upper() == "ARM" else "X86",
        price_per_hour=0.0,
    )


def put_images(ctx: Context, bodies: Iterable[dict[str, Any]], *, replace_ids: Iterable[str] = (),
               region_id: str = "") -> int:
    """Take the images DescribeImages responses list; drop ``replace_ids`` that are gone."""
    from ecsimg.service.images.load import LoadError, parse_response

    written = 0
    with ctx.repo.transaction() as tx:
        seen: set[str] = set()
        for body in bodies:
            if tx.get(tables.REGIONS, str(body.get("RegionId") or "")) is None and \
                    body.get("RegionId"):
                tx.put(tables.REGIONS, region_record({"RegionId": body["RegionId"]}))
            try:
                images = parse_response(body, "the response", ctx, tx)
            except LoadError:
                continue  # a reply the cache cannot take is still shown; the cache waits
            progress = pending_progress(body)
            for image in images:
                if image.image_id in progress:
                    image = with_progress(image, progress[image.image_id], time.time())
                existing = tx.get(tables.IMAGES, image.key)
                if existing is not None and existing.owner_kind == image.owner_kind:
                    image = dataclasses.replace(image, shares=existing.shares)
                tx.put(tables.IMAGES, image)
                seen.add(image.image_id)
                written += 1
        for image_id in replace_ids:
            if image_id not in seen and region_id:
                tx.delete(tables.IMAGES, f"{region_id}/{image_id}")
    return written


def is_pending(body: dict[str, Any], image_id: str) -> bool:
    return image_id in pending_progress(body)


def put_shares(ctx: Context, region_id: str, image_id: str,
               bodies: Iterable[dict[str, Any]]) -> None:
    """The image's share permissions as DescribeImageSharePermission lists them."""
    listing = plan.share_listings(region_id, [image_id])[0]
    shares = tuple(m.SharePermission(str(a.get("AliyunId", "")), str(a.get("SharedTime", "")))
                   for body in bodies for a in plan.items(listing, body) if a.get("AliyunId"))
    with ctx.repo.transaction() as tx:
        existing = tx.get(tables.IMAGES, f"{region_id}/{image_id}")
        if existing is not None:
            tx.put(tables.IMAGES, dataclasses.replace(existing, shares=shares))


def delete_image(ctx: Context, region_id: str, image_id: str) -> None:
    with ctx.repo.transaction() as tx:
        tx.delete(tables.IMAGES, f"{region_id}/{image_id}")


def record_event(ctx: Context, event: m.Event) -> None:
    with ctx.repo.transaction() as tx:
        tx.put(tables.EVENTS, event)


def regions_known(view: View) -> list[str]:
    return sorted(r.region_id for r in view.all(tables.REGIONS))
