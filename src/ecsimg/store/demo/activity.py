"""The demo's tasks and audit events, so the task list and the activity log are not empty."""

from __future__ import annotations

from dataclasses import replace

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso, parse_iso
from ecsimg.store import tables
from ecsimg.store.demo.base import DEV, OPS, PARTNER
from ecsimg.store.demo.builder import DemoBuilder
from ecsimg.store.demo.custom import Handles

_ACCOUNT_OF_PROFILE = {"default": OPS, "dev": DEV, "partner": PARTNER}


def _task(b: DemoBuilder, h: Handles, handle: str, action: str, start: float, end: float,
          status: str = "Processing", detail: str = "", created: float | None = None) -> None:
    """A task on the image ``handle``, linked from the image while it is still running;
    ``created``: when it was asked for (default ``start``), earlier for one that waited."""
    image = h[handle]
    task_id = b.ids.task()
    if status == "Processing" and end <= b.now:
        status = "Finished"  # a zero pace finishes every task at once
    b.put(tables.TASKS, m.Task(task_id, image.region_id, image.owner_id, action, image.image_id,
                               iso(start if created is None else created), start, end,
                               status=status, detail=detail))
    if status == "Processing":
        h[handle] = b.put(tables.IMAGES, replace(image, task_id=task_id))


def add_tasks(b: DemoBuilder, h: Handles) -> None:
    """Copies under way (one running, one waiting behind it) and finished or failed tasks."""
    for handle in ("copy_running", "copy_waiting"):
        image = h[handle]
        # Asked for when its image was made (the waiting one queued then, as CopyImage does).
        _task(b, h, handle, "CopyImage", image.pending_start, image.pending_end,
              created=parse_iso(image.creation_time))
    copied = parse_iso(h["web_v3_copy"].creation_time)
    _task(b, h, "web_v3_copy", "CopyImage", copied, copied + 40, "Finished")
    imported = parse_iso(h["imported"].creation_time)
    _task(b, h, "imported", "ImportImage", imported, imported + 30, "Failed",
          "InvalidImage.Format: the VHD footer of legacy/ubuntu20.vhd is corrupt")
    exported = parse_iso(h["web_v3"].creation_time) + 3 * 86_400
    _task(b, h, "web_v3", "ExportImage", exported, exported + 140, "Finished",
          "oss://ops-images-hz/exports/webv3-20250525.raw.tar.gz")


def _event(b: DemoBuilder, epoch: float, profile: str, action: str, params: dict[str, str],
           code: str = "Success", resource_ids: tuple[str, ...] = ()) -> None:
    request_id = b.ids.request_id()
    b.put(tables.EVENTS, m.Event(
        event_id=f"{epoch:017.6f}-{request_id}", time=iso(epoch), profile=profile,
        account_id=_ACCOUNT_OF_PROFILE[profile], action=action, params=params, code=code,
        request_id=request_id, resource_ids=resource_ids))


def _shared_at(image: m.Image, account_id: str, default: float) -> float:
    """When ``image`` was shared with ``account_id``, as its share record says."""
    found = next((s.shared_time for s in image.shares if s.account_id == account_id), "")
    return parse_iso(found) if found else default


def add_events(b: DemoBuilder, h: Handles, instances: dict[str, m.Instance]) -> None:
    """Calls that made the demo what it is, and one that was refused."""
    web_v3, hardened, toolbox = h["web_v3"], h["hardened"], h["dev_toolbox"]
    created = parse_iso(web_v3.creation_time)
    web_01 = instances["web-prod-01"].instance_id
    _event(b, created, "default", "CreateImage",
           {"RegionId": "cn-hangzhou", "InstanceId": web_01, "ImageName": web_v3.image_name,
            "ImageFamily": "web-prod"}, resource_ids=(web_01, web_v3.image_id))
    # Each event happens when the record it made says it did (share time, copy's creation).
    _event(b, _shared_at(web_v3, DEV, created + 3_600), "default", "ModifyImageSharePermission",
           {"RegionId": "cn-hangzhou", "ImageId": web_v3.image_id, "AddAccount.1": DEV},
           resource_ids=(web_v3.image_id,))
    _event(b, parse_iso(h["web_v3_copy"].creation_time), "default", "CopyImage",
           {"RegionId": "cn-hangzhou", "ImageId": web_v3.image_id,
            "DestinationRegionId": "cn-shanghai"},
           resource_ids=(h["web_v3_copy"].image_id, web_v3.image_id))
    _event(b, created + 9_000, "default", "ModifyImageAttribute",
           {"RegionId": "cn-hangzhou", "ImageId": h["web_v1"].image_id, "Status": "Deprecated"},
           resource_ids=(h["web_v1"].image_id,))
    _event(b, created + 10_800, "default", "DeleteImage",
           {"RegionId": "cn-hangzhou", "ImageId": hardened.image_id},
           code="ImageUseShared", resource_ids=(hardened.image_id,))
    _event(b, _shared_at(toolbox, OPS, parse_iso(toolbox.creation_time) + 600), "dev",
           "ModifyImageSharePermission",
           {"RegionId": "cn-hangzhou", "ImageId": toolbox.image_id, "AddAccount.1": OPS},
           resource_ids=(toolbox.image_id,))
    partner_gw = h["partner_gw"]
    _event(b, _shared_at(partner_gw, OPS, parse_iso(partner_gw.creation_time) + 600), "partner",
           "ModifyImageSharePermission",
           {"RegionId": "ap-southeast-1", "ImageId": partner_gw.image_id, "AddAccount.1": OPS},
           resource_ids=(partner_gw.image_id,))
    web_v4 = h["web_v4"]
    _event(b, web_v4.pending_start, "default", "CreateImage",
           {"RegionId": "cn-hangzhou", "InstanceId": web_01, "ImageName": web_v4.image_name},
           resource_ids=(web_01, web_v4.image_id))
