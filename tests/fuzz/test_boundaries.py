"""Account boundaries and read-only mode, for every mutating action.

No profile sees another account's private image or changes anything of another account's;
a read-only profile, or any profile with the read-only flag, writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ecsimg import service
from ecsimg.domain import models as m
from ecsimg.domain.disk_images import sample_disk_header
from ecsimg.domain.errors import ApiError
from ecsimg.service import ACTIONS
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.fuzz import invariants
from tests.fuzz.catalogue import FuzzCatalogue

MUTATING = sorted(name for name, act in ACTIONS.items() if act.mutating)
PAIRS = (("dev", "default"), ("partner", "default"), ("default", "dev"))
"""(attacker, victim) profiles."""


@dataclass(frozen=True)
class Targets:
    """One account's records in one region, each usable by its owner for the call aimed at it."""

    region_id: str
    image: m.Image
    """An Available custom image shared with nobody and not public."""
    shared_image: m.Image | None
    stopped: m.Instance
    running: m.Instance
    disk: m.Disk
    """The stopped instance's system disk."""
    snapshot: m.Snapshot
    copy: m.Image
    """A copy still in progress, with its task."""
    public_image_id: str
    copyable: m.Image
    """A private image small enough to copy: Rule 68 counts all of its disks."""


def _usable(inst: m.Instance) -> bool:
    return not (inst.locked_for_security or inst.unpaid_order or inst.expired)


def targets_of(cat: FuzzCatalogue, profile: str, hidden_from: str) -> Targets:
    """Pick the account's records (and start a copy of one image, so it can be cancelled)."""
    account_id = cat.account_of(profile)
    stranger = cat.account_of(hidden_from)
    instances = [i for i in cat.records(tables.INSTANCES)
                 if i.owner_id == account_id and _usable(i)]
    stopped = next(i for i in instances if i.status == "Stopped")
    region_id = stopped.region_id
    running = next(i for i in instances if i.status == "Running" and i.region_id == region_id)
    images = [i for i in cat.own_images(profile) if i.region_id == region_id
              and i.status == m.AVAILABLE and not i.pending_end and not i.is_public
              and not i.encrypted and not i.product_code]
    private = [i for i in images if not i.shares]
    copyable = [i for i in private if sum(d.size for d in i.disk_mappings) <= 500]
    shared = [i for i in images if i.shares and all(s.account_id != stranger for s in i.shares)]
    disk = next(d for d in cat.records(tables.DISKS) if d.disk_id == stopped.system_disk_id)
    snapshot = next(s for s in cat.records(tables.SNAPSHOTS) if s.owner_id == account_id
                    and s.region_id == region_id and s.source_disk_type == "system"
                    and not s.pending_end)
    public = next(i.image_id for i in cat.records(tables.IMAGES)
                  if i.owner_kind == "system" and i.region_id == region_id
                  and i.os_type == "linux" and i.architecture == "x86_64")
    pace, cat.pace = cat.pace, 10.0
    copied = cat.call("CopyImage", {"RegionId": region_id, "ImageId": copyable[-1].image_id,
                                    "DestinationRegionId": "cn-beijing"}, profile)
    cat.pace = pace
    assert copied.body is not None, copied.error
    copy = next(i for i in cat.records(tables.IMAGES)
                if i.image_id == copied.body["ImageId"])
    return Targets(region_id, private[0], shared[0] if shared else None, stopped, running,
                   disk, snapshot, copy, public, copyable[0])


def calls_against(action: str, t: Targets, caller_account_id: str) -> Iterator[dict[str, str]]:
    """Requests of ``action`` that name the target account's records."""
    region = {"RegionId": t.region_id}
    image = {**region, "ImageId": t.image.image_id}
    if action == "ModifyImageAttribute":
        yield {**image, "Description": "taken over by another account"}
        yield {**image, "Status": "Deprecated"}
    elif action == "ModifyImageSharePermission":
        yield {**image, "AddAccount.1": caller_account_id}
        yield {**image, "IsPublic": "true"}
        if t.shared_image is not None:
            yield {**region, "ImageId": t.shared_image.image_id,
                   "RemoveAccount.1": t.shared_image.shares[0].account_id}
    elif action == "CopyImage":
        yield {**region, "ImageId": t.copyable.image_id, "DestinationRegionId": "cn-beijing"}
    elif action == "CancelCopyImage":
        yield {"RegionId": t.copy.region_id, "ImageId": t.copy.image_id}
    elif action == "ExportImage":
        yield {**image, "OSSBucket": "exports"}
    elif action == "DeleteImage":
        yield image
        yield {**image, "Force": "true"}
    elif action == "CreateImage":
        yield {**region, "InstanceId": t.stopped.instance_id}
        yield {**region, "SnapshotId": t.snapshot.snapshot_id}
        yield {**region, "DiskDeviceMapping.1.SnapshotId": t.snapshot.snapshot_id}
    elif action == "ReplaceSystemDisk":
        yield {**region, "InstanceId": t.stopped.instance_id, "ImageId": t.public_image_id}
    elif action in ("CreateSnapshot", "ReInitDisk"):
        yield {**region, "DiskId": t.disk.disk_id}
    elif action == "StartInstance":
        yield {**region, "InstanceId": t.stopped.instance_id}
    elif action == "StopInstance":
        yield {**region, "InstanceId": t.running.instance_id}
    elif action == "DeleteInstance":
        yield {**region, "InstanceId": t.running.instance_id, "Force": "true"}
    elif action == "RunInstances":
        yield {**image, "InstanceType": "ecs.g7.large"}
    elif action == "CancelTask":
        yield {"RegionId": t.copy.region_id, "TaskId": t.copy.task_id}
    elif action == "TagResources":
        yield {**region, "ResourceType": "image", "ResourceId.1": t.image.image_id,
               "Tag.1.Key": "owner", "Tag.1.Value": "another account"}
    elif action == "UntagResources":
        yield {**region, "ResourceType": "image", "ResourceId.1": t.image.image_id,
               "All": "true"}
    elif action == "ImportImage":
        # Names no record: the import lands in the caller's own account or nowhere.
        yield {**region, "DiskDeviceMapping.1.OSSBucket": "exports",
               "DiskDeviceMapping.1.OSSObject": "disk.raw"}
    else:  # pragma: no cover - a new mutating action must be added above
        raise AssertionError(f"no attack written for {action}")


@pytest.fixture
def cat(tmp_path: Path) -> Iterator[FuzzCatalogue]:
    catalogue = FuzzCatalogue(tmp_path)
    for region in ("cn-hangzhou", "cn-shanghai", "ap-southeast-1"):
        bucket = tmp_path / "oss" / region / "exports"
        bucket.mkdir(parents=True)
        (bucket / "disk.raw").write_bytes(sample_disk_header("RAW", 1) + b"\0" * 3584)
    yield catalogue
    catalogue.repo.close()


def on_disk_holdings(cat: FuzzCatalogue, account_id: str) -> invariants.Holdings:
    """Everything not owned by ``account_id``, read afresh from the files."""
    fresh = TinyRepository(cat.repo.location)
    try:
        with fresh.read() as view:
            return invariants.holdings_of_others(view, account_id,
                                                 ignore_shares_to_caller=False)
    finally:
        fresh.close()


def test_every_mutating_action_has_an_attack() -> None:
    assert MUTATING, "no mutating action registered"
    for action in MUTATING:
        assert action in _ATTACKED, f"{action} is not covered by calls_against"


_ATTACKED = {
    "ModifyImageAttribute", "ModifyImageSharePermission", "CopyImage", "CancelCopyImage",
    "ExportImage", "DeleteImage", "CreateImage", "ReplaceSystemDisk", "CreateSnapshot",
    "ReInitDisk", "StartInstance", "StopInstance", "DeleteInstance", "RunInstances",
    "CancelTask", "ImportImage", "TagResources", "UntagResources",
}


@pytest.mark.parametrize(("attacker", "victim"), PAIRS)
def test_private_images_of_others_stay_invisible(cat: FuzzCatalogue, attacker: str,
                                                 victim: str) -> None:
    attacker_id = cat.account_of(attacker)
    private = [i for i in cat.own_images(victim) if not i.is_public
               and all(s.account_id != attacker_id for s in i.shares)]
    assert private
    for image in private:
        for alias in ("", "self", "others"):
            body = cat.call("DescribeImages", {"RegionId": image.region_id,
                                               "ImageId": image.image_id, "Status": "ALL",
                                               "ImageOwnerAlias": alias}, attacker).body
            assert body is not None and body["Images"]["Image"] == [], (image.key, alias)
        outcome = cat.call("DescribeImageSharePermission",
                           {"RegionId": image.region_id, "ImageId": image.image_id}, attacker)
        assert outcome.error is not None
        assert (outcome.error.code, outcome.error.http_status) == ("InvalidImageId.NotFound",
                                                                   404)


@pytest.mark.parametrize(("attacker", "victim"), PAIRS)
@pytest.mark.parametrize("action", MUTATING)
def test_no_account_changes_another_accounts_records(cat: FuzzCatalogue, action: str,
                                                     attacker: str, victim: str) -> None:
    attacker_id = cat.account_of(attacker)
    targets = targets_of(cat, victim, hidden_from=attacker)
    attacks = list(calls_against(action, targets, attacker_id))
    for params in attacks:
        # The owner could make this very call: only ownership stands in the attacker's way.
        control = cat.call(action, {**params, "DryRun": "true"}, victim)
        assert control.error is not None and control.error.code == "DryRunOperation", (
            action, params, control.error)
        before = on_disk_holdings(cat, attacker_id)
        outcome = cat.call(action, params, attacker)
        after = on_disk_holdings(cat, attacker_id)
        assert after.changed_since(before) == [], (action, params)
        assert not outcome.problems, outcome.problems
        if action != "ImportImage":
            assert outcome.error is not None, f"{action} {params} succeeded for {attacker}"
            assert outcome.error.http_status in (403, 404), outcome.error
            assert outcome.error.code.endswith(".NotFound"), outcome.error


@pytest.mark.parametrize(("profile", "read_only"), [("audit", False), ("default", True),
                                                    ("dev", True)])
@pytest.mark.parametrize("action", MUTATING)
def test_read_only_refuses_every_mutating_action(cat: FuzzCatalogue, action: str, profile: str,
                                                 read_only: bool) -> None:
    writer = "default" if profile == "audit" else profile  # the same account, writable
    own = targets_of(cat, writer, hidden_from="partner")
    requests = list(calls_against(action, own, cat.account_of(profile)))
    assert requests
    for params in requests:
        for dry_run in ("", "true"):
            request = {**params, "DryRun": dry_run} if dry_run else params
            before = folder_bytes(cat.root)
            with pytest.raises(ApiError) as refused:
                service.call(cat.ctx(profile, read_only), action, request)
            assert (refused.value.code, refused.value.http_status) == ("Forbidden.ReadOnly", 403)
            assert refused.value.request_id
            assert folder_bytes(cat.root) == before, f"{action} {request} wrote something"


def folder_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but the lock file, by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}
