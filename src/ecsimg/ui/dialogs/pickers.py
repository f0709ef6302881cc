"""Region and profile switchers, and the activity log: lists that only read."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ecsimg.domain.models import Event
from ecsimg.i18n import t
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.dialogs.pick import PickDialog
from ecsimg.ui.text import cell, safe

EVENTS_SHOWN = 200


RegionNames = list[tuple[str, str]]
"""(region ID, local name) of each region DescribeRegions lists."""
ProfileRows = list[tuple[str, str, str, str, bool]]
"""(name, account ID, account name, region ID, read-only) of each profile."""


class RegionPicker(PickDialog[RegionNames]):
    TITLE = "key.switch_region"

    def fetch(self) -> RegionNames:
        body = self.backend.call("DescribeRegions", {})
        return [(r["RegionId"], r.get("LocalName", "")) for r in body["Regions"]["Region"]]

    def options(self, data: RegionNames) -> list[Option]:
        current = self.region_id
        found = []
        for region_id, name in data:
            mark = t("glyph.mark") if region_id == current else " "
            label = Text(f"{mark} {region_id:<22}", end="")
            label.append_text(safe(name))
            found.append(Option(label, id=region_id))
        return found

    def show_fetched(self, data: RegionNames) -> None:
        super().show_fetched(data)
        ids = [region_id for region_id, _ in data]
        if self.region_id in ids:
            options = self.query_one("#picker-options", OptionList)
            options.highlighted = ids.index(self.region_id)
            # Scrolling needs the options laid out, which happens after this refresh.
            self.call_after_refresh(options.scroll_to_highlight, top=True)

    def outcome_for(self, option_id: str) -> DialogOutcome:
        return DialogOutcome(message=t("picker.region", region=option_id), region_id=option_id)


class ProfilePicker(PickDialog[ProfileRows]):
    TITLE = "key.switch_profile"

    def fetch(self) -> ProfileRows:
        return [(info.name, info.profile.account_id, info.account_name,
                 info.profile.region_id, info.profile.read_only)
                for info in self.backend.profiles()]

    def options(self, data: ProfileRows) -> list[Option]:
        found = []
        for name, account_id, account_name, region_id, read_only in data:
            mark = t("glyph.mark") if name == self.backend.session.profile_name else " "
            label = Text(f"{mark} ", end="")
            label.append_text(cell(name, 10))
            label.append(f" {account_id} ")
            label.append_text(cell(account_name, 14))
            label.append(f" {region_id}")
            if read_only:
                label.append(t("picker.read_only"), style=marks.WARN)
            found.append(Option(label, id=name))
        return found

    def show_fetched(self, data: ProfileRows) -> None:
        super().show_fetched(data)
        names = [row[0] for row in data]
        if self.backend.session.profile_name in names:
            options = self.query_one("#picker-options", OptionList)
            options.highlighted = names.index(self.backend.session.profile_name)

    def outcome_for(self, option_id: str) -> DialogOutcome:
        return DialogOutcome(message=t("picker.profile", profile=option_id),
                             profile_name=option_id)


class FilterPicker(PickDialog[dict[str, str]]):
    """The saved filters of the config file; choosing one puts it in the filter line."""

    TITLE = "key.saved_filters.name"

    def fetch(self) -> dict[str, str]:
        return dict(self.request.settings.filters)

    def options(self, data: dict[str, str]) -> list[Option]:
        if not data:
            return [Option(Text(t("picker.no_filters"), style="dim"), disabled=True)]
        width = min(max(len(name) for name in data), 20)
        found = []
        for name, line in data.items():
            label = cell(name, width, style="bold")
            label.append("  ")
            label.append_text(safe(line))
            found.append(Option(label, id=name))
        return found

    def outcome_for(self, option_id: str) -> DialogOutcome:
        return DialogOutcome(reload=False,
                             filter_line=self.request.settings.filters[option_id])


class ActivityLog(Dialog[list[Event]]):
    """The latest mutating calls on the catalogue: time, profile, action, code, resources."""

    TITLE = "key.activity_log"
    AUTO_FOCUS = ".dialog-box"
    """The log scrolls with the arrow and page keys."""

    def compose_form(self) -> ComposeResult:
        yield Static("", id="activity-events")

    def fetch(self) -> list[Event]:
        return self.backend.events(EVENTS_SHOWN)

    def show_fetched(self, data: list[Event]) -> None:
        text = Text(end="")
        if not data:
            text.append(t("picker.no_activity"), style="dim")
        for event in data:
            ok = event.code == "Success"
            text.append(f"{event.time}  ", style="dim")
            text.append_text(cell(event.profile, 8))
            text.append(" ")
            text.append_text(cell(event.action, 26))
            text.append(" ")
            text.append_text(safe(event.code, style=marks.GOOD if ok else marks.BAD))
            if event.resource_ids:
                text.append("\n    ")
                text.append_text(safe(" ".join(event.resource_ids), style="dim"))
            text.append("\n")
        text.rstrip()
        self.query_one("#activity-events", Static).update(text)


@dialog("switch_region")
def open_region_picker(request: DialogRequest) -> DialogScreen:
    return RegionPicker(request)


@dialog("switch_profile")
def open_profile_picker(request: DialogRequest) -> DialogScreen:
    return ProfilePicker(request)


@dialog("saved_filters")
def open_filter_picker(request: DialogRequest) -> DialogScreen:
    return FilterPicker(request)


@dialog("activity_log")
def open_activity_log(request: DialogRequest) -> DialogScreen:
    return ActivityLog(request)
