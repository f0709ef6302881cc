"""What the tasks view reads: the account's tasks in every region, with live status and progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ecsimg.domain import models as m
from ecsimg.domain.clock import seconds_left
from ecsimg.service.images.tasks import (
    CANCELLABLE_ACTIONS,
    COPY,
    is_unfinished,
    task_progress,
    task_status,
)
from ecsimg.service.machinery.context import Context
from ecsimg.store import tables

RECENT_TASKS = 200
"""The newest tasks the view lists (every unfinished one is listed whatever its age)."""


@dataclass(frozen=True)
class TaskRow:
    """One task as the tasks view shows it, at the time it was read."""

    task_id: str
    region_id: str
    action: str
    resource_id: str
    status: str
    progress: int
    """Percent of the task's window gone by (100 once it ended)."""
    remain_seconds: int
    creation_time: str
    detail: str

    @property
    def unfinished(self) -> bool:
        return self.status in ("Waiting", "Processing")

    @property
    def cancellable(self) -> bool:
        return self.unfinished and self.action in CANCELLABLE_ACTIONS

    def cancel_call(self) -> tuple[str, dict[str, str]]:
        """The API call that cancels the task: CancelCopyImage for a copy, else CancelTask."""
        if self.action == COPY:
            return "CancelCopyImage", {"RegionId": self.region_id, "ImageId": self.resource_id}
        return "CancelTask", {"RegionId": self.region_id, "TaskId": self.task_id}


def _row(task: m.Task, now: float) -> TaskRow:
    status = task_status(task, now)
    progress = task_progress(task, status, now)
    # Counted as an image's time left is, so the tasks view and the details say the same.
    remain = seconds_left(task.end_at, now) if status in ("Waiting", "Processing") else 0
    return TaskRow(task.task_id, task.region_id, task.task_action, task.resource_id, status,
                   progress, remain, task.creation_time, task.detail)


def account_tasks(ctx: Context, limit: int = RECENT_TASKS) -> list[TaskRow]:
    """The caller's tasks in every region: unfinished first, then the newest ones."""
    now = ctx.now()
    with ctx.repo.read() as view:
        mine = [t for t in view.all(tables.TASKS) if t.owner_id == ctx.account_id]
    mine.sort(key=lambda t: (t.creation_time, t.task_id), reverse=True)
    running = [t for t in mine if is_unfinished(t, now)]
    recent = [t for t in mine if not is_unfinished(t, now)][:max(limit - len(running), 0)]
    return [_row(t, now) for t in running + recent]


def tasks_by_id(ctx: Context, task_ids: Iterable[str]) -> list[TaskRow]:
    """The tasks with these IDs as they are now (gone ones left out)."""
    now = ctx.now()
    with ctx.repo.read() as view:
        found = [view.get(tables.TASKS, task_id) for task_id in task_ids]
    return [_row(t, now) for t in found if t is not None]
