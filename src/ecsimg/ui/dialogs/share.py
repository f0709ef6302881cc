"""Share and unshare marked images: current accounts, the diff per image, split into calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from ecsimg.i18n import t
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, describe_all, field_row, split_words
from ecsimg.ui.text import plural, safe


@dataclass(frozen=True)
class ShareDiff:
    """What applying the form changes on one image."""

    region_id: str
    image_id: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    already_shared: tuple[str, ...]
    not_shared: tuple[str, ...]
    count_before: int

    @property
    def count_after(self) -> int:
        return self.count_before + len(self.added) - len(self.removed)

    def calls(self, per_call: int) -> list[ApiCall]:
        """ModifyImageSharePermission calls of at most ``per_call`` adds and as many removes
        each (10, Rule 46)."""
        calls: list[ApiCall] = []
        for start in range(0, max(len(self.added), len(self.removed)), per_call):
            params = {"RegionId": self.region_id, "ImageId": self.image_id}
            for n, uid in enumerate(self.added[start:start + per_call], 1):
                params[f"AddAccount.{n}"] = uid
            for n, uid in enumerate(self.removed[start:start + per_call], 1):
                params[f"RemoveAccount.{n}"] = uid
            calls.append(ApiCall("ModifyImageSharePermission", params))
        return calls


def share_diff(region_id: str, image_id: str, current: Sequence[str], add: Sequence[str],
               remove: Sequence[str]) -> ShareDiff:
    shared = set(current)
    removing = set(remove)
    return ShareDiff(
        region_id, image_id,
        added=tuple(u for u in add if u not in shared and u not in removing),
        removed=tuple(u for u in remove if u in shared),
        already_shared=tuple(u for u in add if u in shared and u not in removing),
        not_shared=tuple(u for u in remove if u not in shared),
        count_before=len(current),
    )


class ShareDialog(ApiDialog[dict[str, list[dict[str, Any]]]]):
    """Adds and removes accounts on one or more images, showing the change before applying."""

    TITLE = "share.title"
    APPLY_LABEL = "share.apply"

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self.current_accounts: dict[str, list[dict[str, Any]]] = {}
        """Image key to its DescribeImageSharePermission accounts (AliyunId, SharedTime)."""
        self.diffs: list[ShareDiff] = []
        self.limit = self.backend.limits.share_accounts_per_image
        """Accounts an image can be shared with (Rule 52)."""

    def compose_form(self) -> ComposeResult:
        yield Static("", id="share-current", classes="dialog-section")
        yield field_row(t("share.add"), Input(placeholder="6000000000000001, 6000000000000002",
                                              id="share-add"))
        yield field_row(t("share.remove"), Input(placeholder=t("share.remove_placeholder"),
                                                 id="share-remove"))
        yield Static("", id="share-diff", classes="dialog-section")

    def fetch(self) -> dict[str, list[dict[str, Any]]]:
        accounts: dict[str, list[dict[str, Any]]] = {}
        for row in self.request.targets:
            accounts[row.key] = describe_all(
                self.backend, "DescribeImageSharePermission",
                {"RegionId": row.region_id, "ImageId": row.image_id}, "Accounts", "Account")
        return accounts

    def show_fetched(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.current_accounts = data
        text = Text(end="")
        for row in self.request.targets:
            accounts = self.current_accounts.get(row.key, [])
            text.append_text(safe(row.name, style="bold"))
            text.append(f"  {row.image_id}  ")
            text.append(t("share.accounts", count=len(accounts), limit=self.limit) + "\n",
                        style=marks.BAD if len(accounts) >= self.limit else "")
            for account in accounts:
                text.append(t("share.shared_at", account=account["AliyunId"],
                              time=account["SharedTime"]) + "\n",
                            style="dim")
            if not accounts:
                text.append(t("share.none") + "\n", style="dim")
        text.rstrip()
        self.query_one("#share-current", Static).update(text)

    def planned_calls(self) -> list[ApiCall]:
        targets = self.request.targets
        if not targets:
            raise FormProblem(t("delete.no_image"))
        add = split_words(self.query_one("#share-add", Input).value)
        remove = split_words(self.query_one("#share-remove", Input).value)
        self.diffs = [
            share_diff(row.region_id, row.image_id,
                       [a["AliyunId"] for a in self.current_accounts.get(row.key, [])],
                       add, remove)
            for row in targets
        ]
        self._show_diff()
        per_call = self.backend.limits.share_accounts_per_call
        return [call for diff in self.diffs for call in diff.calls(per_call)]

    def _show_diff(self) -> None:
        text = Text(t("share.change") + "\n", style="bold", end="")
        for diff in self.diffs:
            text.append(f"{diff.image_id}: ")
            if not diff.added and not diff.removed:
                text.append(t("share.no_change"), style="dim")
            for uid in diff.added:
                text.append(f"+{uid} ", style=marks.GOOD)
            for uid in diff.removed:
                text.append(f"-{uid} ", style=marks.BAD)
            if diff.added or diff.removed:
                text.append(f"{t('glyph.arrow')} {diff.count_after}/{self.limit}")
            if diff.already_shared:
                text.append("\n" + t("share.already", accounts=", ".join(diff.already_shared)),
                            style="dim")
            if diff.not_shared:
                # The UIDs are typed text: sanitised, but the line break is ours.
                text.append("\n" + t("share.not_shared"), style="dim")
                text.append_text(safe(", ".join(diff.not_shared), style="dim"))
            text.append("\n")
        text.rstrip()
        self.query_one("#share-diff", Static).update(text)

    def call_note(self, calls: Sequence[ApiCall]) -> str:
        if len(calls) > len(self.diffs):
            per_call = self.backend.limits.share_accounts_per_call
            return t("share.split", per_call=per_call, calls=len(calls))
        return ""

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        added = sum(len(d.added) for d in self.diffs)
        removed = sum(len(d.removed) for d in self.diffs)
        return DialogOutcome(message=t("share.done", images=plural(len(self.diffs), "image"),
                                       added=added, removed=removed), clear_marks=True)


@dialog("share")
def open_share(request: DialogRequest) -> DialogScreen:
    return ShareDialog(request)
