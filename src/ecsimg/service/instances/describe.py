"""DescribeInstances: the caller's instances with their filters and both ways of paging."""

from __future__ import annotations

import fnmatch
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.service.account.regions import known_region
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.paging import (
    PAGE_PARAMS,
    TAG_FILTER_PARAMS,
    TOKEN_PARAMS,
    TokenLimits,
    has_tags,
    page,
    tag_filters,
    tags_to_api,
)
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.service.storage.snapshots import id_list
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
POSTPAID_EXPIRY = "2099-12-31T15:59Z"  # what the API shows for pay-as-you-go instances


def _lock_reasons(inst: m.Instance) -> list[dict[str, str]]:
    reasons = []
    if inst.locked_for_security:
        reasons.append({"LockReason": "security",
                        "LockMsg": "The instance is locked for security."})
    if inst.expired:
        reasons.append({"LockReason": "financial", "LockMsg": "The instance has expired."})
    return reasons


def instance_to_api(view: View, inst: m.Instance) -> dict[str, Any]:
    """The instance as DescribeInstances returns it."""
    itype = view.get(tables.INSTANCE_TYPES, inst.instance_type)
    image = view.get(tables.IMAGES, f"{inst.region_id}/{inst.image_id}")
    private_ips = [inst.private_ip] if inst.private_ip else []
    return {
        "InstanceId": inst.instance_id,
        "InstanceName": inst.instance_name,
        "HostName": inst.instance_id,
        "Description": "",
        "RegionId": inst.region_id,
        "ZoneId": inst.zone_id or f"{inst.region_id}-a",
        "InstanceType": inst.instance_type,
        "InstanceTypeFamily": itype.family if itype else "",
        "Cpu": itype.cpu_core_count if itype else 0,
        "Memory": int(itype.memory_size * 1024) if itype else 0,
        "ImageId": inst.image_id,
        "OSType": inst.os_type,
        "OSName": inst.os_name,
        "OSNameEn": image.os_name_en if image else inst.os_name,
        "Status": inst.status,
        "CreationTime": inst.creation_time,
        "StartTime": inst.creation_time,
        "ExpiredTime": POSTPAID_EXPIRY if inst.charge_type == "PostPaid" else inst.creation_time,
        "InstanceChargeType": inst.charge_type,
        "InternetChargeType": "PayByTraffic",
        "InstanceNetworkType": "vpc",
        "IoOptimized": True,
        "KeyPairName": inst.key_pair_name,
        "DeletionProtection": False,
        "ResourceGroupId": "",
        "StoppedMode": "KeepCharging" if inst.status == "Stopped" else "Not-applicable",
        "InnerIpAddress": {"IpAddress": []},
        "PublicIpAddress": {"IpAddress": []},
        "VpcAttributes": {"PrivateIpAddress": {"IpAddress": private_ips},
                          "VpcId": "", "VSwitchId": "", "NatIpAddress": ""},
        "NetworkInterfaces": {"NetworkInterface": [{
            "MacAddress": inst.mac_address, "PrimaryIpAddress": inst.private_ip,
            "NetworkInterfaceId": "", "Type": "Primary",
        }]},
        "SecurityGroupIds": {"SecurityGroupId": []},
        "OperationLocks": {"LockReason": _lock_reasons(inst)},
        "Tags": tags_to_api(inst.tags),
    }


INSTANCE_PAGES = TokenLimits(default=10, floor=10, cap=100)
"""DescribeInstances' MaxResults: below 10 means 10, above 100 means 100 (as the SDK says)."""


@action("DescribeInstances", Param("InstanceIds"), Param("Status"), Param("ImageId"),
        Param("InstanceName"), Param("InstanceType"), Param("InstanceTypeFamily"),
        Param("ZoneId"), Param("InstanceChargeType"), Param("KeyPairName"),
        Param("PrivateIpAddresses"), Param("InstanceNetworkType"), *TAG_FILTER_PARAMS,
        *PAGE_PARAMS, *TOKEN_PARAMS)
def describe_instances(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the caller's instances in a region, filtered, paged by number or by token."""
    region_id = req.str("RegionId")
    known_region(tx, region_id)
    instance_ids = id_list(req, "InstanceIds")
    private_ips = id_list(req, "PrivateIpAddresses")
    status = req.choice("Status", INSTANCE_STATUSES, ApiError(
        "InvalidStatus.ValueNotSupported", f"Status must be one of {', '.join(INSTANCE_STATUSES)}.",
        400))
    charge_type = req.choice("InstanceChargeType", ("PrePaid", "PostPaid"), ApiError(
        "InvalidInstanceChargeType.ValueNotSupported",
        "InstanceChargeType must be PrePaid or PostPaid."))
    network_type = req.choice("InstanceNetworkType", ("vpc", "classic"))
    tags = tag_filters(req)
    # InstanceName matches fuzzily with '*'; '[' is escaped so only '*' and '?' are wildcards.
    name_pattern = req.str("InstanceName").replace("[", "[[]")
    family = req.str("InstanceTypeFamily")
    families = ({t.instance_type_id for t in tx.all(tables.INSTANCE_TYPES) if t.family == family}
                if family else set())
    exact = {field: req.str(name) for name, field in (
        ("ImageId", "image_id"), ("InstanceType", "instance_type"), ("ZoneId", "zone_id"),
        ("KeyPairName", "key_pair_name")) if req.has(name)}
    found = []
    for inst in tx.all(tables.INSTANCES):
        if inst.owner_id != ctx.account_id or inst.region_id != region_id:
            continue
        if instance_ids is not None and inst.instance_id not in instance_ids:
            continue
        if private_ips is not None and inst.private_ip not in private_ips:
            continue
        if (status and inst.status != status) or (charge_type and inst.charge_type != charge_type):
            continue
        if any(getattr(inst, field) != value for field, value in exact.items()):
            continue
        if family and inst.instance_type not in families:
            continue
        if network_type == "classic":
            continue  # every instance here is in a VPC
        if name_pattern and not fnmatch.fnmatchcase(inst.instance_name, name_pattern):
            continue
        if tags and not has_tags(inst.tags, tags):
            continue
        found.append(inst)
    found.sort(key=_newest_first, reverse=True)
    shown = page(req, found, _newest_first, INSTANCE_PAGES)
    return {
        "Instances": {"Instance": [instance_to_api(tx, i) for i in shown.items]},
        **shown.reply_fields(),
    }


def _newest_first(inst: m.Instance) -> tuple[str, str]:
    return inst.creation_time, inst.instance_id
