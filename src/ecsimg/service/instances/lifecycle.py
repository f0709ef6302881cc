"""Instances: RunInstances, DescribeInstances, Start/Stop/DeleteInstance and ReInitDisk."""

from __future__ import annotations

import dataclasses
import zlib

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, denied, image_not_found, invalid, not_found
from ecsimg.domain.validation import check_tags, is_cjk
from ecsimg.service.account.regions import known_region
from ecsimg.service.images.visibility import find_visible, get_visible, status_of
from ecsimg.service.instances import replace
from ecsimg.service.instances.data_disks import (
    DATA_DISK_PARAMS,
    check_snapshots_ready,
    data_disk_requests,
    device_names,
    make_disk,
)
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.paging import (
    TAG_FILTER_PARAMS,
)
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.service.market.price import InstanceQuestion, Period, check_period, instance_price
from ecsimg.service.market.purchases import buy_with_instance, check_buyable
from ecsimg.service.storage.snapshots import (
    DISK_CATEGORIES,
    own_disk,
    release_disk,
    releases_with_instance,
)
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

MAX_AMOUNT = 100


def _check_instance_name(value: str) -> None:
    problem = None
    if not 2 <= len(value) <= 128:
        problem = "it must be 2 to 128 characters long"
    elif not ((value[0].isascii() and value[0].isalpha()) or is_cjk(value[0])):
        problem = "it must start with a letter or a Chinese character"
    elif value.lower().startswith(("http://", "https://")):
        problem = "it cannot start with http:// or https://"
    elif any(not ((c.isascii() and c.isalnum()) or is_cjk(c) or c in ".:_-") for c in value):
        problem = "it may hold only letters, digits, Chinese characters and . : _ -"
    if problem:
        raise ApiError("InvalidInstanceName.Malformed",
                       f"The specified InstanceName is malformed: {problem}.", 400)


def newest_in_family(view: View, account_id: str, region_id: str, family: str,
                     now: float) -> m.Image | None:
    """The caller's newest Available custom image of a family (as DescribeImageFromFamily)."""
    candidates = [
        i for i in view.group(tables.IMAGES, region_id)
        if i.owner_kind == "custom" and i.owner_id == account_id and i.image_family == family
        and status_of(i, now) == m.AVAILABLE
    ]
    # Ties go to the smallest ImageId, as DescribeImageFromFamily orders them.
    by_id = sorted(candidates, key=lambda i: i.image_id)
    return max(by_id, key=lambda i: i.creation_time, default=None)


def _launch_image(ctx: Context, req: Request, tx: Transaction, region_id: str) -> m.Image:
    image_id, family = req.str("ImageId"), req.str("ImageFamily")
    if image_id and family:
        raise invalid("ImageFamily", "ImageFamily must be empty when ImageId is set",
                      "InvalidParameter.Conflict")
    if image_id:
        return get_visible(tx, ctx.account_id, region_id, image_id)
    if not family:
        raise ApiError("MissingParameter", "One of the input parameters 'ImageId' or "
                       "'ImageFamily' is mandatory for processing this request.", 400)
    found = newest_in_family(tx, ctx.account_id, region_id, family, ctx.now())
    if found is None:
        raise not_found("InvalidImageFamily.NotFound",
                        f"The image family '{family}' has no Available image of yours in "
                        f"{region_id}.")
    return found


def _network_identity(instance_id: str) -> tuple[str, str]:
    """A stable private IP and MAC derived from the instance ID."""
    digest = zlib.crc32(instance_id.encode())
    octets = [(digest >> shift) & 0xFF for shift in (0, 8, 16)]
    ip = f"172.16.{octets[1]}.{octets[0] % 253 + 1}"
    mac = "00:16:3e:" + ":".join(f"{o:02x}" for o in octets)
    return ip, mac


@action("RunInstances", Param("ImageId"), Param("ImageFamily"), Param("InstanceType"),
        Param("Amount", int), Param("MinAmount", int), Param("InstanceName"),
        Param("Description"), Param("HostName"), Param("SystemDisk.Category"),
        Param("SystemDisk.Size", int), Param("SystemDisk.DiskName"), Param("Password"),
        Param("KeyPairName"), Param("InstanceChargeType"), Param("Period", int),
        Param("PeriodUnit"), Param("AutoRenew", bool), Param("ZoneId"), Param("VSwitchId"),
        Param("SecurityGroupId"), Param("InternetMaxBandwidthOut", int),
        Param("InternetChargeType"), Param("IoOptimized"), Param("ClientToken"),
        Param("SecurityEnhancementStrategy"), *TAG_FILTER_PARAMS, *DATA_DISK_PARAMS,
        mutating=True)
def run_instances(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Launch 1-100 Running instances from an image; a marketplace image's use is bought too.

    Each instance gets its system disk, data disks for the image's data mappings and then one
    per ``DataDisk.N``, all carrying the ``Tag.N`` tags.
    """
    region_id = req.str("RegionId")
    known_region(tx, region_id)
    instance_type = replace.instance_type_of(tx, req.required("InstanceType"))
    amount = req.int_or("Amount", 1)
    if not 1 <= amount <= MAX_AMOUNT:
        raise invalid("Amount", f"it must be 1 to {MAX_AMOUNT}")
    charge_type = req.choice("InstanceChargeType", ("PrePaid", "PostPaid"), ApiError(
        "InvalidInstanceChargeType.ValueNotSupported",
        "InstanceChargeType must be PrePaid or PostPaid.", 400), default="PostPaid")
    req.choice("PeriodUnit", ("Week", "Month", "Year"))
    req.choice("SecurityEnhancementStrategy", ("Active", "Deactive"))
    name = req.str("InstanceName")
    if name:
        _check_instance_name(name)
    category = req.choice("SystemDisk.Category", DISK_CATEGORIES, ApiError(
        "InvalidSystemDiskCategory.ValueNotSupported",
        f"SystemDisk.Category must be one of {', '.join(DISK_CATEGORIES)}.", 400),
        default="cloud_essd")
    tags = check_tags([(f.get("Key", ""), f.get("Value", "")) for _, f in req.records("Tag")])
    image = _launch_image(ctx, req, tx, region_id)
    replace.check_usable(image, ctx.now())
    replace.check_type_fits(image, instance_type)
    size = replace.system_disk_size(image, category, req.int("SystemDisk.Size"))
    data_disks = data_disk_requests(req, tx, ctx.account_id, region_id)
    check_snapshots_ready(tx, data_disks, ctx.now())
    key_pair_name = req.str("KeyPairName")
    replace.check_credentials(tx, ctx.account_id, region_id, image, req.str("Password"),
                              key_pair_name)
    replace.check_charge_type(tx, image, charge_type)
    check_buyable(tx, image)
    order: Response = {}
    if charge_type == "PrePaid":
        question = InstanceQuestion(
            instance_type, image, category, size,
            tuple((d.category, d.size) for d in _image_data_disks(image, category))
            + tuple((d.category, d.size) for d in data_disks),
            _prepaid_period(req), amount)
        price = instance_price(tx, ctx.account_id, question)["PriceInfo"]["Price"]
        order = {"OrderId": ctx.ids.order_id(), "TradePrice": price["TradePrice"]}

    now_text = iso(ctx.now())
    zone_id = req.str("ZoneId", f"{region_id}-a")
    instance_ids = []
    for _ in range(amount):
        instance_id = ctx.ids.instance()
        ip, mac = _network_identity(instance_id)
        system_disk = m.Disk(
            ctx.ids.disk(), region_id, ctx.account_id, "system", category, size, now_text,
            instance_id=instance_id, device="/dev/xvda", image_id=image.image_id,
            disk_name=req.str("SystemDisk.DiskName"), tags=tags, zone_id=zone_id)
        inst = m.Instance(
            instance_id, region_id, ctx.account_id, name or instance_id,
            instance_type.instance_type_id, image.image_id, "Running", image.os_type, now_text,
            charge_type="PrePaid" if charge_type == "PrePaid" else "PostPaid",
            system_disk_id=system_disk.disk_id, key_pair_name=key_pair_name, private_ip=ip,
            mac_address=mac, zone_id=zone_id, os_name=image.os_name, tags=tags)
        tx.put(tables.DISKS, system_disk)
        for mapping in _image_data_disks(image, category):
            tx.put(tables.DISKS, dataclasses.replace(
                mapping, disk_id=ctx.ids.disk(), region_id=region_id, owner_id=ctx.account_id,
                creation_time=now_text, instance_id=instance_id, tags=tags, zone_id=zone_id))
        taken = sum(1 for d in image.disk_mappings if d.disk_type == "data")
        for spec, device in zip(data_disks, device_names(taken, len(data_disks)), strict=True):
            tx.put(tables.DISKS, make_disk(spec, ctx.ids.disk(), inst, device, tags))
        tx.put(tables.INSTANCES, inst)
        buy_with_instance(ctx, tx, image, instance_id)
        instance_ids.append(instance_id)
    return {"InstanceIdSets": {"InstanceIdSet": instance_ids}, **order}


def _image_data_disks(image: m.Image, category: str) -> list[m.Disk]:
    """The data disks an image's data mappings give each instance (IDs filled in by the caller)."""
    return [
        m.Disk("", image.region_id, "", "data", category, mapping.size, "",
               device=mapping.device, source_snapshot_id=mapping.snapshot_id)
        for mapping in image.disk_mappings if mapping.disk_type == "data"
    ]


def _prepaid_period(req: Request) -> Period:
    """Period in PeriodUnit (Month by default), as DescribePrice takes it: 12 months is a year."""
    unit = req.str("PeriodUnit", "Month")
    count = req.int_or("Period", 1)
    if unit == "Month" and count >= 12 and count % 12 == 0:
        unit, count = "Year", count // 12
    return check_period(unit, count)


def _incorrect_status(inst: m.Instance, wanted: str) -> ApiError:
    return denied("IncorrectInstanceStatus",
                  f"The instance {inst.instance_id} is {inst.status}; it must be {wanted}.")


@action("StartInstance", Param("InstanceId", required=True), Param("InitLocalDisk", bool),
        mutating=True)
def start_instance(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Start a Stopped instance; it is Running at once."""
    req.bool("InitLocalDisk")
    inst = replace.own_instance(tx, ctx.account_id, req.required("InstanceId"))
    replace.check_not_locked(inst)
    if inst.status != "Stopped":
        raise _incorrect_status(inst, "Stopped")
    tx.put(tables.INSTANCES, dataclasses.replace(inst, status="Running"))
    return {}


@action("StopInstance", Param("InstanceId", required=True), Param("ForceStop", bool),
        Param("ConfirmStop", bool), Param("Hibernate", bool), Param("StoppedMode"),
        mutating=True)
def stop_instance(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Stop a Running instance; it is Stopped at once (ForceStop changes nothing here)."""
    req.choice("StoppedMode", ("KeepCharging", "StopCharging"))
    inst = replace.own_instance(tx, ctx.account_id, req.required("InstanceId"))
    if inst.status != "Running":
        raise _incorrect_status(inst, "Running")
    tx.put(tables.INSTANCES, dataclasses.replace(inst, status="Stopped"))
    return {}


@action("DeleteInstance", Param("InstanceId", required=True), Param("Force", bool),
        Param("ForceStop", bool), Param("TerminateSubscription", bool), mutating=True)
def delete_instance(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Release an instance with its system disk and the data disks marked DeleteWithInstance;
    the other data disks stay, detached."""
    force = req.bool("Force")
    req.bool("ForceStop")
    req.bool("TerminateSubscription")
    inst = replace.own_instance(tx, ctx.account_id, req.required("InstanceId"))
    if inst.status != "Stopped" and not force:
        raise _incorrect_status(inst, "Stopped (or use Force=true)")
    for disk in tx.all(tables.DISKS):
        if disk.instance_id != inst.instance_id:
            continue
        if releases_with_instance(disk):
            release_disk(tx, disk)
        else:
            tx.put(tables.DISKS, dataclasses.replace(disk, instance_id="", device="",
                                                     status="Available"))
    tx.delete(tables.INSTANCES, inst.instance_id)
    return {}


@action("ReInitDisk", Param("DiskId", required=True), Param("Password"), Param("KeyPairName"),
        Param("AutoStartInstance", bool), Param("SecurityEnhancementStrategy"), mutating=True)
def reinit_disk(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Return a disk to its initial state: a system disk is rebuilt from its instance's image.

    The image must still exist and be visible to the caller: a deleted (Rule 90) or unshared
    (Rule 54) image gives InvalidImageId.NotFound.
    """
    auto_start = req.bool("AutoStartInstance")
    req.choice("SecurityEnhancementStrategy", ("Active", "Deactive"))
    disk = own_disk(tx, ctx.account_id, req.required("DiskId"))
    if not disk.instance_id:
        raise denied("IncorrectDiskStatus",
                     f"The disk {disk.disk_id} is not attached to an instance.")
    inst = replace.own_instance(tx, ctx.account_id, disk.instance_id)
    replace.check_not_locked(inst)
    if inst.status != "Stopped":
        raise _incorrect_status(inst, "Stopped")
    key_pair_name = req.str("KeyPairName")
    password = req.str("Password")
    changed = inst
    if disk.disk_type == "system":
        image_id = disk.image_id or inst.image_id
        image = find_visible(tx, ctx.account_id, inst.region_id, image_id)
        if image is None:
            raise image_not_found(image_id)
        replace.check_credentials(tx, ctx.account_id, inst.region_id, image, password,
                                  key_pair_name)
        if key_pair_name or password:
            changed = dataclasses.replace(changed, key_pair_name=key_pair_name)
    if auto_start:
        changed = dataclasses.replace(changed, status="Running")
    if changed != inst:
        tx.put(tables.INSTANCES, changed)
    return {}
