"""Share and unshare marked images: current accounts, the diff per image, split into calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from ecsimg.domain.errors import ApiError
from ecsimg.service.images import SHARE_ACCOUNTS_LIMIT
from ecsimg.service.images_share import ACCOUNTS_PER_CALL
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, dialog
from ecsimg.ui.dialogs.base import Dialog
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

    def calls(self) -> list[ApiCall]:
        """ModifyImageSharePermission calls of at most 10 adds and 10 removes each (Rule 46)."""
        calls: list[ApiCall] = []
        for start in range(0, max(len(self.added), len(self.removed)), ACCOUNTS_PER_CALL):
            params = {"RegionId": self.region_id, "ImageId": self.image_id}
            for n, uid in enumerate(self.added[start:start + ACCOUNTS_PER_CALL], 1):
                params[f"AddAccount.{n}"] = uid
            for n, uid in enumerate(self.removed[start:start + ACCOUNTS_PER_CALL], 1):
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


class ShareDialog(Dialog):
    """Adds and removes accounts on one or more images, showing the change before applying."""

    TITLE = "Share images"
    APPLY_LABEL = "Apply sharing"

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self.current_accounts: dict[str, list[dict[str, Any]]] = {}
        """Image key to its DescribeImageSharePermission accounts (AliyunId, SharedTime)."""
        self.diffs: list[ShareDiff] = []

    def compose_form(self) -> ComposeResult:
        yield Static("", id="share-current", classes="dialog-section")
        yield field_row("Add UIDs", Input(placeholder="6000000000000001, 6000000000000002",
                                          id="share-add"))
        yield field_row("Remove UIDs", Input(placeholder="UIDs to unshare", id="share-remove"))
        yield Static("", id="share-diff", classes="dialog-section")

    def fetch(self) -> dict[str, list[dict[str, Any]]]:
        accounts: dict[str, list[dict[str, Any]]] = {}
        for row in self.request.targets:
            accounts[row.key] = describe_all(
                self.ctx, "DescribeImageSharePermission",
                {"RegionId": row.region_id, "ImageId": row.image_id}, "Accounts", "Account")
        return accounts

    def show_fetched(self, data: Any) -> None:
        self.current_accounts = data
        text = Text(end="")
        for row in self.request.targets:
            accounts = self.current_accounts.get(row.key, [])
            text.append_text(safe(row.name, style="bold"))
            text.append(f"  {row.image_id}  ")
            text.append(f"{len(accounts)}/{SHARE_ACCOUNTS_LIMIT} accounts\n",
                        style=marks.BAD if len(accounts) >= SHARE_ACCOUNTS_LIMIT else "")
            for account in accounts:
                text.append(f"  {account['AliyunId']}  shared {account['SharedTime']}\n",
                            style="dim")
            if not accounts:
                text.append("  not shared with any account\n", style="dim")
        text.rstrip()
        self.query_one("#share-current", Static).update(text)

    def planned_calls(self) -> list[ApiCall]:
        targets = self.request.targets
        if not targets:
            raise FormProblem("No image: put the cursor on an image or mark some.")
        add = split_words(self.query_one("#share-add", Input).value)
        remove = split_words(self.query_one("#share-remove", Input).value)
        self.diffs = [
            share_diff(row.region_id, row.image_id,
                       [a["AliyunId"] for a in self.current_accounts.get(row.key, [])],
                       add, remove)
            for row in targets
        ]
        self._show_diff()
        for diff in self.diffs:
            # Several calls are checked one by one against today's state, so the limit over
            # all of them is checked here with the service's own limit and code.
            if diff.added and diff.count_after > SHARE_ACCOUNTS_LIMIT:
                raise ApiError("QuotaExceed.ShareImageUser", f"{diff.image_id}: an image can be "
                               f"shared with at most {SHARE_ACCOUNTS_LIMIT} accounts "
                               f"({diff.count_after} after this change).", 403)
        return [call for diff in self.diffs for call in diff.calls()]

    def _show_diff(self) -> None:
        text = Text("Change\n", style="bold", end="")
        for diff in self.diffs:
            text.append(f"{diff.image_id}: ")
            if not diff.added and not diff.removed:
                text.append("no change", style="dim")
            for uid in diff.added:
                text.append(f"+{uid} ", style=marks.GOOD)
            for uid in diff.removed:
                text.append(f"-{uid} ", style=marks.BAD)
            if diff.added or diff.removed:
                text.append(f"→ {diff.count_after}/{SHARE_ACCOUNTS_LIMIT}")
            if diff.already_shared:
                text.append(f"\n  already shared: {', '.join(diff.already_shared)}", style="dim")
            if diff.not_shared:
                # The UIDs are typed text: sanitised, but the line break is ours.
                text.append("\n  not shared, ignored: ", style="dim")
                text.append_text(safe(", ".join(diff.not_shared), style="dim"))
            text.append("\n")
        text.rstrip()
        self.query_one("#share-diff", Static).update(text)

    def call_note(self, calls: Sequence[ApiCall]) -> str:
        if len(calls) > len(self.diffs):
            return (f"The API processes only the first {ACCOUNTS_PER_CALL} AddAccount.N and "
                    f"{ACCOUNTS_PER_CALL} RemoveAccount.N per call: {len(calls)} calls.")
        return ""

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        added = sum(len(d.added) for d in self.diffs)
        removed = sum(len(d.removed) for d in self.diffs)
        return DialogOutcome(message=f"Sharing changed on {plural(len(self.diffs), 'image')}: "
                                     f"+{added} -{removed} accounts", clear_marks=True)


@dialog("share")
def open_share(request: DialogRequest) -> Dialog:
    return ShareDialog(request)
