"""The header line: profile (in its colour, with its marker), account, region, catalogue,
counts and the read-only badge."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ecsimg.config import ProfileStyle, Settings
from ecsimg.i18n import t
from ecsimg.service.backend import Session
from ecsimg.service.reads.image_rows import RegionRows
from ecsimg.ui import marks
from ecsimg.ui.profile_mark import profile_badge
from ecsimg.ui.text import ellipsis, fit, sanitize


@dataclass(frozen=True)
class HeaderInfo:
    profile_name: str = ""
    account_name: str = ""
    account_id: str = ""
    region_id: str = ""
    region_name: str = ""
    location: str = ""
    shown: int = 0
    total: int = 0
    marked: int = 0
    read_only: bool = False
    loading: float = 1.0
    """How much of the catalogue is read (below 1 the total is not known yet)."""
    offline: bool = False
    """A cloud account whose endpoint cannot be reached: the cache is shown."""
    synced: str = ""
    """For a cloud account, when its cache was last synced (``synced 12:04``)."""
    profile_style: ProfileStyle = field(default_factory=ProfileStyle)
    """The profile's colour and marker from the config file."""


class HeaderBar(Widget):
    """One line; the catalogue path is cropped first so the badge always shows."""

    info: reactive[HeaderInfo] = reactive(HeaderInfo)
    """What the header shows."""

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $panel; }
    """

    def render(self) -> Text:
        info = self.info
        width = self.size.width
        badge = Text(t("header.read_only"), style=marks.BAD_CODE) if info.read_only else Text("")
        if info.offline:
            badge = Text.assemble(Text(t("header.offline"), style=marks.WARN_CODE), badge)
        if info.loading < 1.0:
            counts = t("header.loading", shown=info.shown, done=info.loading)
        else:
            counts = t("header.counts", shown=info.shown, total=info.total)
        counts += t("header.marked", marked=info.marked) if info.marked else ""
        # Most to least droppable: the catalogue path, the region's local name, the app name.
        for with_name, with_region_name in ((True, True), (False, True), (False, False)):
            left = Text(end="")
            if with_name:
                left.append(" ecsimg ", style="bold reverse")
            left.append(" ")
            left.append_text(profile_badge(info.profile_name, info.profile_style))
            left.append(f" {sanitize(info.account_name)} ({info.account_id})  ")
            left.append(info.region_id, style="bold")
            if with_region_name:
                left.append(f" {sanitize(info.region_name)}")
            left.append(f"  {counts}")
            if left.cell_len + badge.cell_len <= width:
                break
        room = width - left.cell_len - badge.cell_len - 2
        if room >= 8:
            path = f"{info.location}  {info.synced}" if info.synced else info.location
            if cell_len(path) > room:
                path = ellipsis() + path[-(room - 1):]
            left.append("  ")
            left.append(fit(path, room), style="dim")
        elif left.cell_len + badge.cell_len > width:
            left = Text(fit(left.plain, max(width - badge.cell_len, 0)), end="")
        pad = max(width - left.cell_len - badge.cell_len, 0)
        return Text.assemble(left, " " * pad, badge, end="")


def header_info(session: Session, settings: Settings, loaded: RegionRows | None, *,
                every_region: bool, shown: int, marked: int, loading: float) -> HeaderInfo:
    """What the main screen's header says of ``session`` and the rows ``loaded``."""
    return HeaderInfo(
        profile_name=session.profile_name,
        account_name=loaded.account_name if loaded else "",
        account_id=session.account_id,
        region_id=t("main.every_region") if every_region else session.region_id,
        region_name="" if every_region else loaded.region_name if loaded else "",
        location=session.location,
        shown=shown,
        total=len(loaded.rows) if loaded else 0,
        marked=marked,
        read_only=session.read_only,
        loading=loading,
        offline=bool(session.offline_reason),
        synced=synced_text(session) if session.cloud else "",
        profile_style=settings.profile_style(session.profile_name, session.read_only),
    )


def synced_text(session: Session) -> str:
    """When a cloud account's cache was last synced, as the header words it."""
    if session.last_sync is None:
        return t("main.never_synced")
    synced = time.localtime(session.last_sync)
    today = time.localtime()[:3] == synced[:3]
    return t("main.synced",
             when=time.strftime("%H:%M" if today else "%Y-%m-%d %H:%M", synced))
