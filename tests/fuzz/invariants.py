"""What must hold of any catalogue, whatever was called on it: checks shared by the fuzz tests."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.service.images.visibility import SHARE_ACCOUNTS_LIMIT, SHARED_RECEIVE_LIMIT
from ecsimg.store import tables
from ecsimg.store.repository import View

OWNED_TABLES: tuple[tables.Table[Any], ...] = (
    tables.IMAGES,
    tables.SNAPSHOTS,
    tables.DISKS,
    tables.INSTANCES,
    tables.KEY_PAIRS,
    tables.TASKS,
    tables.PURCHASES,
)
"""Tables whose records belong to one account (or to nobody, for public images)."""

REFERENCE_TABLES: tuple[tables.Table[Any], ...] = (
    tables.ACCOUNTS,
    tables.PROFILES,
    tables.REGIONS,
    tables.INSTANCE_TYPES,
    tables.PRODUCTS,
    tables.PRICE_BOOK,
)
"""Tables no API action may change."""


def owner_of(record: Any) -> str:
    """The account a record belongs to; empty for Alibaba Cloud's own images."""
    if isinstance(record, m.Purchase):
        return record.account_id
    return str(record.owner_id)


def catalogue_violations(view: View) -> list[str]:
    """Every broken invariant of the catalogue, one line each (empty when all hold)."""
    found: list[str] = []
    images = view.all(tables.IMAGES)
    accounts = {a.account_id: a for a in view.all(tables.ACCOUNTS)}
    snapshot_ids = {s.snapshot_id for s in view.all(tables.SNAPSHOTS)}
    disks = {d.disk_id: d for d in view.all(tables.DISKS)}
    instance_ids = {i.instance_id for i in view.all(tables.INSTANCES)}

    received: Counter[str] = Counter()
    held: Counter[tuple[str, str]] = Counter()
    for image in images:
        sharer = [s.account_id for s in image.shares]
        received.update(set(sharer))
        if image.owner_kind == "custom":
            held[(image.owner_id, image.region_id)] += 1
        where = f"image {image.key}"
        if len(sharer) > SHARE_ACCOUNTS_LIMIT:
            found.append(f"{where}: shared with {len(sharer)} > {SHARE_ACCOUNTS_LIMIT} accounts")
        if len(set(sharer)) != len(sharer):
            found.append(f"{where}: shared twice with the same account")
        if sharer and image.owner_kind != "custom":
            found.append(f"{where}: a {image.owner_kind} image holds shares")
        if image.owner_id in sharer:
            found.append(f"{where}: shared with its own owner")
        for account_id in sharer:
            if account_id not in accounts:
                found.append(f"{where}: shared with unknown account {account_id}")
        if image.owner_kind == "custom":
            if image.owner_id not in accounts:
                found.append(f"{where}: owned by unknown account {image.owner_id!r}")
            for mapping in image.disk_mappings:
                if mapping.snapshot_id and mapping.snapshot_id not in snapshot_ids:
                    found.append(f"{where}: mapping {mapping.device} names missing snapshot "
                                 f"{mapping.snapshot_id}")
            if not image.disk_mappings:
                found.append(f"{where}: a custom image without disk mappings")
        elif image.owner_id:
            found.append(f"{where}: a {image.owner_kind} image owned by {image.owner_id}")

    for account_id, count in received.items():
        if count > SHARED_RECEIVE_LIMIT:
            found.append(f"account {account_id}: receives {count} > {SHARED_RECEIVE_LIMIT} shares")
    for (owner_id, region_id), count in held.items():
        account = accounts.get(owner_id)
        if account is not None and account.image_quota is not None and \
                count > account.image_quota:
            found.append(f"account {owner_id}: holds {count} custom images in {region_id}, "
                         f"quota {account.image_quota}")

    for inst in view.all(tables.INSTANCES):
        system = disks.get(inst.system_disk_id)
        if system is None:
            found.append(f"instance {inst.instance_id}: system disk {inst.system_disk_id!r} "
                         "does not exist")
        elif system.instance_id != inst.instance_id or system.owner_id != inst.owner_id:
            found.append(f"instance {inst.instance_id}: system disk {system.disk_id} belongs "
                         f"to {system.instance_id or 'no instance'} of {system.owner_id}")
    for disk in disks.values():
        if disk.instance_id and disk.instance_id not in instance_ids:
            found.append(f"disk {disk.disk_id}: attached to missing instance {disk.instance_id}")
    return found


@dataclass(frozen=True)
class Holdings:
    """Every record of some accounts, encoded as stored, to prove another's call left it alone."""

    records: Mapping[tuple[str, str], bytes]
    shared_to_caller: frozenset[str] = frozenset()
    """Others' images shared with the caller: the caller may drop such a share, never add one."""

    def changed_since(self, earlier: Holdings) -> list[str]:
        """Keys of records added, removed or changed between ``earlier`` and this."""
        keys = set(self.records) | set(earlier.records)
        changed = [f"{table}:{key}" for table, key in keys
                   if self.records.get((table, key)) != earlier.records.get((table, key))]
        changed += [f"images:{key} (shared with the caller by the caller)"
                    for key in self.shared_to_caller - earlier.shared_to_caller]
        return sorted(changed)


def holdings_of_others(view: View, caller_account_id: str, *,
                       ignore_shares_to_caller: bool = True) -> Holdings:
    """Records not owned by the caller; unless told otherwise, shares naming the caller are
    left out of images, since they are the caller's view of the image rather than the owner's
    record of it."""
    records: dict[tuple[str, str], bytes] = {}
    shared_to_caller: set[str] = set()
    for table in OWNED_TABLES:
        codec = table.codec
        for record in view.all(table):
            if owner_of(record) == caller_account_id:
                continue
            if ignore_shares_to_caller and isinstance(record, m.Image) and record.shares:
                kept = tuple(s for s in record.shares if s.account_id != caller_account_id)
                if len(kept) != len(record.shares):
                    shared_to_caller.add(record.key)
                    record = replace(record, shares=kept)
            records[(table.name, table.key(record))] = orjson.dumps(codec.encode(record))
    for table in REFERENCE_TABLES:
        codec = table.codec
        for record in view.all(table):
            records[(table.name, table.key(record))] = orjson.dumps(codec.encode(record))
    return Holdings(records, frozenset(shared_to_caller))


def event_count(view: View) -> int:
    return len(view.all(tables.EVENTS))


def api_error_problems(err: ApiError) -> list[str]:
    """What is wrong with an error the service raised: it must be a complete API error."""
    problems = []
    if not isinstance(err.code, str) or not err.code.strip():
        problems.append(f"empty code in {err!r}")
    if not isinstance(err.message, str) or not err.message.strip():
        problems.append(f"empty message for {err.code}")
    if not isinstance(err.http_status, int) or not 400 <= err.http_status <= 599:
        problems.append(f"HTTP status {err.http_status!r} for {err.code}")
    if not err.request_id:
        problems.append(f"no RequestId on {err.code}")
    return problems


def response_problems(body: Any) -> list[str]:
    """A successful response must be a JSON object with a RequestId, as the CLI prints it."""
    if not isinstance(body, dict):
        return [f"response is a {type(body).__name__}, not an object"]
    problems = []
    if not body.get("RequestId"):
        problems.append("response without RequestId")
    try:
        json.dumps(body, ensure_ascii=False)
    except (TypeError, ValueError) as err:
        problems.append(f"response is not JSON: {err}")
    return problems
