"""The image list's columns: widths, what to drop on narrow screens, sort keys and cells."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from ecsimg.service.browse import ImageRow, row_state
from ecsimg.ui.text import cell

GAP = 1
NAME_MIN_WIDTH = 20
BAR_WIDTH = 8
STATUS_STYLES = {
    "Available": "green",
    "Creating": "yellow",
    "Waiting": "yellow",
    "UnAvailable": "red",
    "CreateFailed": "bold red",
    "Deprecated": "dim",
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    """Cells; 0 for the name column, which takes what is left."""
    priority: int
    """Lower is kept longer when the list is narrow; 0 is always shown."""
    right: bool = False
    sort_key: Callable[[ImageRow, float], Any] | None = None


def _cost_key(row: ImageRow, now: float) -> float:
    cost = row.monthly_cost
    return -1.0 if cost is None or math.isnan(cost) else cost


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", 22, 0, sort_key=lambda r, n: r.image_id),
    Column("name", "Name", 0, 0, sort_key=lambda r, n: r.name.casefold()),
    Column("os", "OS", 10, 2, sort_key=lambda r, n: r.os_label.casefold()),
    Column("arch", "Arch", 6, 4, sort_key=lambda r, n: r.architecture),
    Column("size", "GiB", 4, 1, right=True, sort_key=lambda r, n: r.size),
    Column("status", "Status", 13, 0, sort_key=lambda r, n: row_state(r, n)),
    Column("usage", "Used", 4, 5, sort_key=lambda r, n: r.usage),
    Column("shares", "Shr", 3, 3, right=True, sort_key=lambda r, n: r.share_count),
    Column("cost", "CNY/mo", 8, 6, right=True, sort_key=_cost_key),
    Column("created", "Created", 10, 7, sort_key=lambda r, n: (r.image.creation_time, r.image_id)),
)
SORTABLE = tuple(c for c in COLUMNS if c.sort_key is not None)
DEFAULT_SORT = next(n for n, c in enumerate(SORTABLE) if c.key == "created")
MARK_WIDTH = 1


@functools.lru_cache(maxsize=8)
def layout(width: int) -> list[tuple[Column, int]]:
    """The columns that fit in ``width`` cells (after the mark), with the name's share of it."""
    chosen = {c.key for c in COLUMNS if c.priority == 0}

    def used(keys: set[str]) -> int:
        fixed = sum(c.width for c in COLUMNS if c.key in keys and c.width)
        return MARK_WIDTH + fixed + NAME_MIN_WIDTH + GAP * len(keys)

    for column in sorted(COLUMNS, key=lambda c: c.priority):
        if column.key not in chosen and used(chosen | {column.key}) <= width:
            chosen.add(column.key)
    name_width = max(NAME_MIN_WIDTH, width - used(chosen) + NAME_MIN_WIDTH)
    return [(c, c.width or name_width) for c in COLUMNS if c.key in chosen]


def status_cell(row: ImageRow, now: float, width: int) -> Text:
    """The status, or a progress bar that moves while the image is Waiting or Creating."""
    status, progress = row_state(row, now)
    style = STATUS_STYLES.get(status, "")
    if status == "Creating":
        filled = progress * BAR_WIDTH // 100
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        return cell(f"{bar} {progress:>2}%", width, style)
    if status == "Waiting":
        # A dot that bounces along the bar: the row is alive though its progress is 0. It
        # follows the app's clock, so a fixed clock (snapshots) gives a fixed picture.
        step = int(now * 6) % (2 * BAR_WIDTH - 2)
        position = step if step < BAR_WIDTH else 2 * BAR_WIDTH - 2 - step
        bar = "·" * position + "▪" + "·" * (BAR_WIDTH - 1 - position)
        return cell(f"{bar} wait", width, style)
    return cell(status, width, style)


def text_of(column: Column, row: ImageRow, now: float, width: int) -> Text:
    """The cell of ``row`` in ``column``, exactly ``width`` cells wide."""
    match column.key:
        case "id":
            return cell(row.image_id, width, "bold" if row.kind == "custom" else "")
        case "name":
            return cell(row.name, width)
        case "os":
            return cell(row.os_label, width)
        case "arch":
            return cell(row.architecture, width)
        case "size":
            return cell(str(row.size), width, right=True)
        case "status":
            return status_cell(row, now, width)
        case "usage":
            return cell("inst" if row.usage == "instance" else "-", width)
        case "shares":
            return cell(str(row.share_count) if row.share_count else "-", width, right=True)
        case "created":
            return cell(row.image.creation_time[:10], width)
        case "cost":
            cost = row.monthly_cost
            if cost is not None and math.isnan(cost):
                return cell("…", width, "dim", right=True)  # snapshot sizes still being read
            return cell("-" if cost is None else f"{cost:,.2f}", width, right=True)
    return cell("", width)
