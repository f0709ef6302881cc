"""The account's tasks in cloud mode: the real DescribeTasks, each unfinished task's progress
from DescribeTaskAttribute, and a task that makes no image (an export) followed until it ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecsimg.cloud.errors import CloudError
from ecsimg.domain.errors import ApiError
from ecsimg.service.reads.tasks import TaskRow

Invoke = Callable[[str, Mapping[str, str]], dict[str, Any]]

TASK_ONLY_ACTIONS = frozenset({"ExportImage"})
"""Actions whose task makes no image: the task itself is described until it ends."""
MAX_PROGRESS_ASKS = 20
"""Unfinished tasks whose progress one listing asks for (DescribeTasks gives none)."""
PAGE_SIZE = "100"

_TASK_STATUSES = {"Waiting": "Waiting", "Processing": "Processing", "Finished": "Finished",
                  "Failed": "Failed", "Cancelled": "Cancelled", "Deleted": "Cancelled"}


@dataclass
class TaskBoard:
    """The latest known state of tasks, shared by a session's backends: what the followers
    and the progress asks learned, so a listing within ``fresh_seconds`` asks no one again."""

    fresh_seconds: float = 10.0
    rows: dict[str, tuple[TaskRow, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, row: TaskRow) -> None:
        with self.lock:
            self.rows[row.task_id] = (row, time.monotonic())

    def get(self, task_id: str, *, fresh: bool = False) -> TaskRow | None:
        """The task's last known row; with ``fresh``, only one learned within fresh_seconds."""
        with self.lock:
            found = self.rows.get(task_id)
        if found is None or (fresh and time.monotonic() - found[1] > self.fresh_seconds):
            return None
        return found[0]

    def known(self, region_id: str, task_ids: Sequence[str] | None) -> list[TaskRow]:
        """The rows known in ``region_id`` (those of ``task_ids`` alone when given)."""
        with self.lock:
            rows = [row for row, _ in self.rows.values() if row.region_id == region_id]
        return [row for row in rows if task_ids is None or row.task_id in task_ids]


def list_tasks(invoke: Invoke, board: TaskBoard, region_id: str,
               task_ids: Sequence[str] | None = None) -> list[TaskRow]:
    """The account's tasks in a region, unfinished first, then the newest; raises what the
    call raises. The full listing asks the progress of a few unfinished tasks the board has
    no fresh word on; a listing by ID (polled often) uses what the board knows."""
    params = {"RegionId": region_id, "PageSize": PAGE_SIZE}
    if task_ids:
        params["TaskIds"] = ",".join(task_ids)
    body = invoke("DescribeTasks", params)
    found = body.get("TaskSet", {}).get("Task", [])
    rows: list[TaskRow] = []
    asks = MAX_PROGRESS_ASKS if task_ids is None else 0
    for task in found:
        if not isinstance(task, dict):
            continue
        row = listed_row(task, region_id)
        if row.unfinished:
            known = board.get(row.task_id)
            if asks > 0 and board.get(row.task_id, fresh=True) is None:
                asks -= 1
                known = ask_progress(invoke, board, row) or known
            if known is not None and known.unfinished:
                row = TaskRow(row.task_id, region_id, row.action, row.resource_id, row.status,
                              known.progress, 0, row.creation_time, "")
        elif board.get(row.task_id) is not None:
            board.put(row)  # followers and watchers see the end the listing tells
        rows.append(row)
    newest_first = sorted(rows, key=lambda r: r.creation_time, reverse=True)
    return sorted(newest_first, key=lambda r: not r.unfinished)


def ask_progress(invoke: Invoke, board: TaskBoard, row: TaskRow) -> TaskRow | None:
    """The task's DescribeTaskAttribute onto the board; None when the API does not answer."""
    try:
        body = invoke("DescribeTaskAttribute", {"RegionId": row.region_id,
                                                "TaskId": row.task_id})
    except (ApiError, CloudError):
        return None
    found = attribute_row(body, row.region_id, row.resource_id, row.creation_time)
    board.put(found)
    return found


def follow_task(invoke: Invoke, board: TaskBoard, region_id: str, task_id: str,
                resource_id: str, every: Callable[[], float], limit_seconds: float
                ) -> threading.Thread:
    """Describe the task every ``every()`` seconds in the background until it ends (or the
    limit), onto the board; the process may end first (a CLI call), which is fine."""
    def run() -> None:
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            time.sleep(every())
            try:
                body = invoke("DescribeTaskAttribute", {"RegionId": region_id,
                                                        "TaskId": task_id})
            except ApiError as err:
                if err.code.endswith("NotFound"):
                    return  # the task is gone: nothing more will be told
                continue  # throttled for now: try again at the next tick
            except CloudError:
                continue  # offline for now
            known = board.get(task_id)
            row = attribute_row(body, region_id, resource_id,
                                known.creation_time if known is not None else "")
            board.put(row)
            if not row.unfinished:
                return

    follower = threading.Thread(target=run, daemon=True, name=f"ecsimg-follow-{task_id}")
    follower.start()
    return follower


def listed_row(task: Mapping[str, Any], region_id: str) -> TaskRow:
    """A task of DescribeTasks as the tasks view shows it (the listing gives no progress:
    0 until it ends, 100 after)."""
    status = _status(task)
    ended = status not in ("Waiting", "Processing")
    return TaskRow(str(task.get("TaskId", "")), region_id, str(task.get("TaskAction", "")),
                   str(task.get("ResourceId", "")), status, 100 if ended else 0, 0,
                   str(task.get("CreationTime", "")), "")


def attribute_row(body: Mapping[str, Any], region_id: str, resource_id: str,
                  creation_time: str = "") -> TaskRow:
    """DescribeTaskAttribute's answer as a row: its TaskProcess (``"40%"``) is the progress
    (the answer names no resource, so the caller knows it)."""
    status = _status(body)
    ended = status not in ("Waiting", "Processing")
    return TaskRow(str(body.get("TaskId", "")), region_id, str(body.get("TaskAction", "")),
                   resource_id, status, 100 if ended else _percent(body.get("TaskProcess")), 0,
                   str(body.get("CreationTime") or creation_time), "")


def _status(task: Mapping[str, Any]) -> str:
    told = str(task.get("TaskStatus", ""))
    return _TASK_STATUSES.get(told, told)


def _percent(value: Any) -> int:
    """``"40%"``, ``"40"`` or 40 as 40, bounded to 0-99 while the task runs; 0 if unreadable."""
    try:
        number = float(str(value if value is not None else "").strip().rstrip("%"))
    except ValueError:
        return 0
    return max(min(int(number), 99), 0)
