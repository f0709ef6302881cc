"""The image list's columns: widths, what to drop on narrow screens, sort keys and cells."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from ecsimg.i18n import is_message, t
from ecsimg.service.reads.display_names import public_display_name
from ecsimg.service.reads.image_rows import ImageRow, row_state
from ecsimg.service.reads.row_table import live_states
from ecsimg.ui import marks
from ecsimg.ui.text import cell

ColumnOf = Callable[[str], list[Any]]
"""The loaded rows' column of a name (``RowTable.column``)."""
GAP = 1
REGION_WIDTH = 14
"""``cn-zhangjiakou`` and ``ap-southeast-1``; only the every-region list shows the column
(from 76 cells: ID, name, status, GiB and region)."""
NAME_MIN_WIDTH = 18
BAR_WIDTH = 8
STATUS_STYLES = {
    "Available": marks.GOOD,
    "Creating": marks.WARN,
    "Waiting": marks.WARN,
    "UnAvailable": marks.BAD,
    "CreateFailed": marks.BAD_CODE,
    "Deprecated": "italic",
}


@dataclass(frozen=True)
class Column:
    key: str
    title_id: str
    """The message id of its heading."""
    width: int
    """Cells the column needs to be shown at all."""
    priority: int
    """Lower is kept longer when the list is narrow; 0 is always shown."""
    right: bool = False
    sort_key: Callable[[ImageRow, float], Any] | None = None
    grow: int = 0
    """Cells the column takes beyond ``width`` when the screen has them to spare."""
    keys_of: Callable[[ColumnOf, float], list[Any]] | None = None
    """``sort_key`` of every row at once (at a time), from the loaded rows' columns (see
    ``RowTable``): sorting 100,000 rows without making them."""

    @property
    def title(self) -> str:
        """The heading in the current language."""
        return t(self.title_id)


def _cost_key(row: ImageRow, now: float) -> float:
    cost = row.monthly_cost
    return -1.0 if cost is None else cost


def _display_names(column: ColumnOf, now: float) -> list[str]:
    return [(public_display_name(image_id) if kind == "public" else name).casefold()
            for kind, image_id, name in zip(column("kind"), column("image_id"),
                                            column("image_name"), strict=True)]


def _os_labels(column: ColumnOf, now: float) -> list[str]:
    return [(platform or os_type).casefold()
            for platform, os_type in zip(column("platform"), column("os_type"), strict=True)]


def _costs(column: ColumnOf, now: float) -> list[float]:
    return [-1.0 if cost is None else cost for cost in column("monthly_cost")]


def _joined(*names: str) -> Callable[[ColumnOf, float], list[Any]]:
    def keys(column: ColumnOf, now: float) -> list[Any]:
        return list(zip(*map(column, names), strict=True))
    return keys


COLUMNS: tuple[Column, ...] = (
    Column("id", "col.id", 22, 0, sort_key=lambda r, n: r.image_id, grow=36,
           keys_of=lambda column, now: column("image_id")),
    Column("name", "col.name", NAME_MIN_WIDTH, 0, sort_key=lambda r, n: r.display_name.casefold(),
           grow=1000, keys_of=_display_names),
    Column("os", "col.os", 8, 2, sort_key=lambda r, n: r.os_label.casefold(), grow=8,
           keys_of=_os_labels),
    Column("arch", "col.arch", 6, 6, sort_key=lambda r, n: r.architecture,
           keys_of=lambda column, now: column("architecture")),
    Column("size", "col.size", 4, 1, right=True, sort_key=lambda r, n: r.size,
           keys_of=lambda column, now: column("size")),
    Column("status", "col.status", 12, 0, sort_key=lambda r, n: row_state(r, n),
           keys_of=live_states),
    Column("usage", "col.usage", 5, 7, sort_key=lambda r, n: r.usage,
           keys_of=lambda column, now: column("usage")),
    Column("shares", "col.shares", 4, 3, right=True, sort_key=lambda r, n: r.share_count,
           keys_of=lambda column, now: column("share_count")),
    Column("cost", "col.cost", 8, 5, right=True, sort_key=_cost_key, keys_of=_costs),
    Column("created", "col.created", 10, 4,
           sort_key=lambda r, n: (r.creation_time, r.image_id),
           keys_of=_joined("creation_time", "image_id")),
    Column("region", "col.region", REGION_WIDTH, 1,
           sort_key=lambda r, n: (r.region_id, r.creation_time, r.image_id),
           keys_of=_joined("region_id", "creation_time", "image_id")),
)
"""Region comes last in the tuple (sort indexes stay) but is drawn after the name."""
DRAWN_ORDER = ("id", "name", "region", "os", "arch", "size", "status", "usage", "shares",
               "cost", "created")
SORTABLE = tuple(c for c in COLUMNS if c.sort_key is not None)
DEFAULT_SORT = next(n for n, c in enumerate(SORTABLE) if c.key == "created")
MARK_WIDTH = 1
NAME_COMFORT = 28
COMFORT_PRIORITY = 5
"""Columns of this priority or lower are shown only when the name keeps NAME_COMFORT cells."""
NAME_FIRST = 40
"""The name grows to this many cells before the other columns grow."""


@functools.lru_cache(maxsize=32)
def layout(width: int, regions: bool = False) -> list[tuple[Column, int]]:
    """The columns that fit in ``width`` cells (after the mark), by priority, each with its
    width: what is left goes to the name first, then to the ID, the OS and the name again.
    ``regions``: the list holds every region's images, so the Region column is shown."""
    columns = [c for c in COLUMNS if regions or c.key != "region"]
    chosen = {c.key for c in columns if c.priority == 0}

    def used(keys: set[str]) -> int:
        return MARK_WIDTH + sum(c.width + GAP for c in columns if c.key in keys)

    for column in sorted(columns, key=lambda c: c.priority):
        # The less wanted columns come only once the name has room to be read.
        room = NAME_COMFORT - NAME_MIN_WIDTH if column.priority >= COMFORT_PRIORITY else 0
        if column.key not in chosen and used(chosen | {column.key}) + room <= width:
            chosen.add(column.key)
    widths = {c.key: c.width for c in columns if c.key in chosen}
    spare = max(width - used(chosen), 0)
    for key, limit in (("name", NAME_FIRST), ("id", 0), ("os", 0), ("name", 0)):
        column = next(c for c in columns if c.key == key)
        if key not in widths:
            continue
        room = (limit - widths[key]) if limit else (column.width + column.grow - widths[key])
        step = max(min(spare, room), 0)
        widths[key] += step
        spare -= step
    by_key = {c.key: c for c in columns if c.key in chosen}
    return [(by_key[key], widths[key]) for key in DRAWN_ORDER if key in by_key]


def visible_sort_columns(width: int, regions: bool = False) -> list[int]:
    """Indexes in SORTABLE of the columns shown at ``width``: what ``o`` cycles through."""
    shown = {c.key for c, _ in layout(width, regions)}
    return [n for n, c in enumerate(SORTABLE) if c.key in shown]


def status_cell(row: ImageRow, now: float, width: int) -> Text:
    """The status, or a progress bar that moves while the image is Waiting or Creating."""
    status, progress = row_state(row, now)
    style = STATUS_STYLES.get(status, "")
    if status == "Creating":
        filled = progress * BAR_WIDTH // 100
        bar = t("glyph.bar_done") * filled + t("glyph.bar_todo") * (BAR_WIDTH - filled)
        return cell(f"{bar} {progress:>2}%", width, style)
    if status == "Waiting":
        # A dot that bounces along the bar: the row is alive though its progress is 0. It
        # follows the app's clock, so a fixed clock (snapshots) gives a fixed picture.
        track = BAR_WIDTH - 1  # one cell shorter than the bar: "wait" is a letter longer
        step = int(now * 6) % (2 * track - 2)
        position = step if step < track else 2 * track - 2 - step
        dot, track_glyph = t("glyph.wait_dot"), t("glyph.wait_track")
        bar = track_glyph * position + dot + track_glyph * (track - 1 - position)
        return cell(f"{bar} {t('status.wait')}", width, style)
    return cell(status_name(status), width, style)


def _worded(kind: str, value: str) -> str:
    """An API value as the console words it: the message ``kind.value``, else the value."""
    message_id = f"{kind}.{value}"
    return t(message_id) if is_message(message_id) else value


def status_name(status: str) -> str:
    """An image status as the console words it (the API's word when there is no message)."""
    return _worded("status", status)


def usage_name(usage: str) -> str:
    """ImageUsage (instance, none) as the console words it."""
    return _worded("usage", usage)


def text_of(column: Column, row: ImageRow, now: float, width: int) -> Text:
    """The cell of ``row`` in ``column``, exactly ``width`` cells wide."""
    match column.key:
        case "id":
            return cell(row.image_id, width, "bold" if row.kind == "custom" else "")
        case "name":
            return cell(row.display_name, width)
        case "os":
            return cell(row.os_label, width)
        case "arch":
            return cell(row.architecture, width)
        case "size":
            return cell(str(row.size), width, right=True)
        case "status":
            return status_cell(row, now, width)
        case "usage":
            return cell(t("col.usage.instance") if row.usage == "instance" else "-", width)
        case "shares":
            return cell(str(row.share_count) if row.share_count else "-", width, right=True)
        case "created":
            return cell(row.creation_time[:10], width)
        case "region":
            return cell(row.region_id, width)
        case "cost":
            cost = row.monthly_cost
            return cell("-" if cost is None else f"{cost:,.2f}", width, right=True)
    return cell("", width)
