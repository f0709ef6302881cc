"""Image tasks (copy, import, export): records, live status, the copy queue, cancelling.

Also the CancelTask, DescribeTasks and DescribeTaskAttribute actions, which work on any of
those tasks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso, parse_iso, window_progress
from ecsimg.domain.errors import ApiError, invalid, not_found
from ecsimg.service.account.regions import known_region
from ecsimg.service.images import visibility as images
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request, paging
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

PROCESSING = "Processing"
WAITING = "Waiting"
FINISHED = "Finished"
CANCELLED = "Cancelled"
FAILED = "Failed"
TASK_STATUSES = (WAITING, PROCESSING, FINISHED, FAILED, CANCELLED)

COPY = "CopyImage"
IMPORT = "ImportImage"
EXPORT = "ExportImage"
CANCELLABLE_ACTIONS = (COPY, IMPORT, EXPORT)
# The SDK's TaskAction values plus the image tasks ecsimg records.
TASK_ACTIONS = (IMPORT, EXPORT, COPY, "CreateImage", "RedeployInstance", "ModifyDiskSpec",
                "ArchiveSnapshot")
MAX_TASK_IDS = 100
MAX_CLIENT_TOKEN = 64
_RESOURCE_GROUP = re.compile(r"rg-[a-z0-9]{1,64}\Z")
# Parameters that do not describe the work: a retry may differ in them.
_NOT_DIGESTED = frozenset({"ClientToken", "DryRun", "OwnerId", "OwnerAccount",
                           "ResourceOwnerId", "ResourceOwnerAccount"})


def task_status(task: m.Task, now: float) -> str:
    """The task's status at ``now``: a Processing record is Waiting before it starts and
    Finished once its window has passed."""
    if task.status != PROCESSING:
        return task.status
    if now < task.start_at:
        return WAITING
    if now >= task.end_at:
        return FINISHED
    return PROCESSING


def is_unfinished(task: m.Task, now: float) -> bool:
    return task_status(task, now) in (WAITING, PROCESSING)


def image_task(view: View, region_id: str, image_id: str, task_action: str,
               now: float) -> m.Task | None:
    """The unfinished ``task_action`` task on an image, if any (DeleteImage refuses then)."""
    for task in view.all(tables.TASKS):
        if (task.region_id == region_id and task.resource_id == image_id
                and task.task_action == task_action and is_unfinished(task, now)):
            return task
    return None


def new_task(ctx: Context, region_id: str, task_action: str, resource_id: str,
             start_at: float, end_at: float, detail: str = "") -> m.Task:
    return m.Task(
        task_id=ctx.ids.task(), region_id=region_id, owner_id=ctx.account_id,
        task_action=task_action, resource_id=resource_id, creation_time=iso(ctx.now()),
        start_at=start_at, end_at=end_at, detail=detail,
    )


def transfer_gib(image: m.Image) -> int:
    """GiB a copy, import or export of the image moves: every disk, not just the system one."""
    return sum(d.size for d in image.disk_mappings) or image.size


def remove_image(tx: Transaction, image: m.Image) -> None:
    """Delete an unfinished image and the snapshots made for it (they hold no finished data)."""
    for disk in image.disk_mappings:
        snap = tx.get(tables.SNAPSHOTS, disk.snapshot_id) if disk.snapshot_id else None
        if (snap is not None and snap.owner_id == image.owner_id
                and snap.region_id == image.region_id):
            tx.delete(tables.SNAPSHOTS, snap.snapshot_id)
    tx.delete(tables.IMAGES, image.key)


def _queued_copies(view: View, account_id: str, region_id: str, now: float) -> list[m.Image]:
    """The account's copies into ``region_id`` that are still waiting or running, in order."""
    found = [
        i for i in view.iter_group(tables.IMAGES, region_id)
        if i.is_copied and i.owner_id == account_id and images.is_busy(i, now)
    ]
    return sorted(found, key=lambda i: (i.pending_start, i.pending_end, i.image_id))


def copy_queue_end(view: View, account_id: str, region_id: str, now: float) -> float:
    """When the account's last queued copy into ``region_id`` ends (``now`` if none): a new
    copy starts then, because one copy per destination region runs at a time (Rule 69)."""
    return max([now, *(i.pending_end for i in _queued_copies(view, account_id, region_id, now))])


def set_window(tx: Transaction, image: m.Image, start: float, end: float) -> m.Image:
    """Move an image's pending window, with its snapshots' and its task's."""
    moved = dataclasses.replace(image, pending_start=start, pending_end=end)
    tx.put(tables.IMAGES, moved)
    for disk in image.disk_mappings:
        snap = tx.get(tables.SNAPSHOTS, disk.snapshot_id) if disk.snapshot_id else None
        if snap is not None and snap.pending_end:
            tx.put(tables.SNAPSHOTS,
                   dataclasses.replace(snap, pending_start=start, pending_end=end))
    task = tx.get(tables.TASKS, image.task_id) if image.task_id else None
    if task is not None:
        tx.put(tables.TASKS, dataclasses.replace(task, start_at=start, end_at=end))
    return moved


def cancel_copy(tx: Transaction, copy: m.Image, now: float) -> None:
    """Remove an unfinished copy and move the copies queued behind it forward."""
    remove_image(tx, copy)
    _mark_cancelled(tx, copy.task_id, now)
    cursor = now
    for queued in _queued_copies(tx, copy.owner_id, copy.region_id, now):
        if queued.pending_start <= now:
            cursor = max(cursor, queued.pending_end)  # already running: it keeps its window
            continue
        start = cursor
        end = start + (queued.pending_end - queued.pending_start)
        if (start, end) != (queued.pending_start, queued.pending_end):
            set_window(tx, queued, start, end)
        cursor = end


def cancel_import(tx: Transaction, image: m.Image, now: float) -> None:
    remove_image(tx, image)
    _mark_cancelled(tx, image.task_id, now)


def _mark_cancelled(tx: Transaction, task_id: str, now: float) -> None:
    task = tx.get(tables.TASKS, task_id) if task_id else None
    if task is not None:
        tx.put(tables.TASKS, dataclasses.replace(task, status=CANCELLED, end_at=now))


def export_detail(bucket: str, objects: list[str]) -> str:
    return json.dumps({"OSSBucket": bucket, "OSSObjects": objects}, ensure_ascii=False)


def remove_exports(ctx: Context, task: m.Task) -> None:
    """Delete the files an export task wrote into its bucket (no link is followed)."""
    from ecsimg.service.images.disk_files import remove_objects

    try:
        detail: Any = json.loads(task.detail)
        bucket = str(detail["OSSBucket"])
        objects = [str(o) for o in detail["OSSObjects"]]
    except (ValueError, KeyError, TypeError):
        return
    remove_objects(ctx, task.region_id, bucket, objects)


def resource_group(req: Request) -> str:
    """ResourceGroupId, shaped like ``rg-...``: anything else names no group."""
    value = req.str("ResourceGroupId")
    if value and not _RESOURCE_GROUP.match(value):
        raise ApiError("InvalidResourceGroup.NotFound",
                       f"The specified ResourceGroupId {value!r} does not exist.", 404)
    return value


def client_token(req: Request) -> tuple[str, str]:
    """The ClientToken (at most 64 printable ASCII characters) and a digest of the request's
    other parameters, which a retry with the same token must repeat."""
    token = req.str("ClientToken")
    if len(token) > MAX_CLIENT_TOKEN or not token.isascii() or not token.isprintable():
        raise invalid("ClientToken", f"it must be at most {MAX_CLIENT_TOKEN} printable ASCII "
                      "characters")
    if not token:
        return "", ""
    described = sorted((k, v) for k, v in req.raw.items() if k not in _NOT_DIGESTED)
    return token, hashlib.sha256(json.dumps(described).encode()).hexdigest()


def replayed(view: View, account_id: str, region_id: str, token: str,
             digest: str) -> m.Image | None:
    """The image an earlier call with this ClientToken made, so a retry returns it again."""
    if not token:
        return None
    for image in view.iter_group(tables.IMAGES, region_id):
        if image.owner_id == account_id and image.client_token == token:
            if image.client_token_digest != digest:
                raise ApiError("IdempotenceParamNotMatch",
                               "The ClientToken was already used with other parameters.")
            return image
    return None




def _task_not_found(task_id: str) -> ApiError:
    return not_found("InvalidTaskId.NotFound", f"The specified TaskId '{task_id}' does not exist.")


@action("CancelTask", Param("TaskId", required=True), mutating=True)
def cancel_task(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Cancel an unfinished import, export or copy task of the caller."""
    region_id = req.required("RegionId")
    known_region(tx, region_id)
    task_id = req.required("TaskId")
    now = ctx.now()
    task = tx.get(tables.TASKS, task_id)
    if task is None or task.owner_id != ctx.account_id or task.region_id != region_id:
        raise _task_not_found(task_id)
    status = task_status(task, now)
    if task.task_action not in CANCELLABLE_ACTIONS:
        raise ApiError("OperationDenied", f"A {task.task_action} task cannot be cancelled.", 403)
    if status not in (WAITING, PROCESSING):
        raise ApiError("IncorrectTaskStatus",
                       f"The task {task_id} is {status}; only an unfinished task can be cancelled.",
                       403)
    image = tx.get(tables.IMAGES, f"{task.region_id}/{task.resource_id}")
    if task.task_action == COPY and image is not None and image.task_id == task_id:
        cancel_copy(tx, image, now)
    elif task.task_action == IMPORT and image is not None and image.task_id == task_id:
        cancel_import(tx, image, now)
    else:
        _mark_cancelled(tx, task_id, now)
    if task.task_action == EXPORT and not req.bool("DryRun"):
        remove_exports(ctx, task)
    return {}


@action("DescribeTasks", Param("TaskIds"), Param("TaskAction"), Param("TaskStatus"),
        Param("PageNumber", int), Param("PageSize", int), Param("StartTime"), Param("EndTime"),
        Param("ResourceIds.N"), Param("TaskGroupId"))
def describe_tasks(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the caller's tasks in a region, newest first, with their live status."""
    region_id = req.required("RegionId")
    known_region(tx, region_id)
    now = ctx.now()
    task_ids = {t.strip() for t in req.str("TaskIds").split(",") if t.strip()}
    if len(task_ids) > MAX_TASK_IDS:
        raise invalid("TaskIds", f"at most {MAX_TASK_IDS} task IDs")
    task_action = req.choice("TaskAction", TASK_ACTIONS)
    wanted_status = req.choice("TaskStatus", TASK_STATUSES)
    resource_ids = {v for _, v in req.indexed("ResourceIds") if v}
    start = _time_param(req, "StartTime")
    end = _time_param(req, "EndTime")
    page_number, page_size = paging(req)
    rows = []
    for task in tx.all(tables.TASKS):
        status = task_status(task, now)
        if task.owner_id != ctx.account_id or task.region_id != region_id:
            continue
        if ((task_ids and task.task_id not in task_ids)
                or (task_action and task.task_action != task_action)
                or (wanted_status and status != wanted_status)
                or (resource_ids and task.resource_id not in resource_ids)):
            continue
        if (start is not None or end is not None) and not _created_within(task, start, end):
            continue
        rows.append((task, status))
    rows.sort(key=lambda row: (row[0].creation_time, row[0].task_id), reverse=True)
    page = rows[(page_number - 1) * page_size: page_number * page_size]
    return {
        "RegionId": region_id,
        "TotalCount": len(rows),
        "PageNumber": page_number,
        "PageSize": page_size,
        "TaskSet": {"Task": [_task_to_api(task, status) for task, status in page]},
    }


@action("DescribeTaskAttribute", Param("TaskId", required=True))
def describe_task_attribute(ctx: Context, req: Request, tx: Transaction) -> Response:
    """One task of the caller with its progress (``TaskProcess``), as DescribeTasks lists it."""
    region_id = req.required("RegionId")
    known_region(tx, region_id)
    task_id = req.required("TaskId")
    task = tx.get(tables.TASKS, task_id)
    if task is None or task.owner_id != ctx.account_id or task.region_id != region_id:
        raise _task_not_found(task_id)
    now = ctx.now()
    status = task_status(task, now)
    return {
        "RegionId": region_id,
        **_task_to_api(task, status),
        "TaskProcess": f"{task_progress(task, status, now)}%",
        "TotalCount": 1,
        "SuccessCount": 1 if status == FINISHED else 0,
        "FailedCount": 1 if status == FAILED else 0,
        "OperationProgressSet": {"OperationProgress": []},
    }


def task_progress(task: m.Task, status: str, now: float) -> int:
    """Percent of the task's window gone by: 0 while waiting, at most 99 until it ends."""
    if status == WAITING:
        return 0
    if status == PROCESSING:
        return window_progress(task.start_at, task.end_at, now)
    return 100


def _time_param(req: Request, name: str) -> float | None:
    text = req.str(name)
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        raise invalid(name, "expected yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mmZ") from None


def _created_within(task: m.Task, start: float | None, end: float | None) -> bool:
    try:
        created = parse_iso(task.creation_time)
    except ValueError:
        return False
    return (start is None or created >= start) and (end is None or created <= end)


def _task_to_api(task: m.Task, status: str) -> dict[str, Any]:
    done = status in (FINISHED, CANCELLED, FAILED)
    return {
        "TaskId": task.task_id,
        "TaskAction": task.task_action,
        "TaskStatus": status,
        "ResourceId": task.resource_id,
        "CreationTime": task.creation_time,
        "FinishedTime": iso(task.end_at) if done else "",
        "SupportCancel": "false" if done or task.task_action not in CANCELLABLE_ACTIONS else "true",
    }
