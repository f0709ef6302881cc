"""The main screen's keys: its bindings, and when a dialog key cannot be used and why."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ecsimg.domain.filtering import KINDS
from ecsimg.i18n import is_message, t
from ecsimg.keymap import DEFAULT_KEYS, KEY_ACTIONS, MUTATING_DIALOGS
from ecsimg.service.backend import Session
from ecsimg.service.reads.image_rows import ImageRow

LIST_ACTIONS = {"open_details": "select"}
"""Palette actions that are the list's own, under the list's name."""


def screen_bindings() -> list[BindingType]:
    bindings: list[BindingType] = [
        Binding(DEFAULT_KEYS["focus_filter"], "focus_filter", "key.focus_filter.label",
                id="focus_filter"),
        Binding(DEFAULT_KEYS["clear_filter"], "clear_filter", "key.clear_filter.label", show=False,
                id="clear_filter"),
        Binding(DEFAULT_KEYS["copy_id"], "copy_id", "key.copy_id.label", show=False, id="copy_id"),
        Binding(DEFAULT_KEYS["refresh"], "refresh", "key.refresh.label", show=False, id="refresh"),
        Binding(DEFAULT_KEYS["tasks"], "tasks", "key.tasks.label", show=False, id="tasks"),
        Binding(DEFAULT_KEYS["cost_dashboard"], "cost_dashboard", "key.cost_dashboard.label",
                show=False,
                id="cost_dashboard"),
        Binding(DEFAULT_KEYS["compare"], "compare", "key.compare.label", show=False, id="compare"),
        Binding(DEFAULT_KEYS["export_list"], "export_list", "key.export_list.label", show=False,
                id="export_list"),
        Binding(DEFAULT_KEYS["every_region"], "every_region", "key.every_region.label", show=False,
                id="every_region"),
    ]
    for kind in KINDS:
        action_id = f"tab_{kind}"
        bindings.append(Binding(DEFAULT_KEYS[action_id], f"tab('{kind}')", f"key.{action_id}",
                                show=False, id=action_id))
    for key_action in KEY_ACTIONS:
        if key_action.dialog:
            bindings.append(Binding(DEFAULT_KEYS[key_action.action_id],
                                    f"dialog('{key_action.dialog}')",
                                    f"key.{key_action.action_id}.label" if key_action.labelled
                                    else f"key.{key_action.action_id}.name",
                                    show=key_action.footer, id=key_action.action_id))
    return bindings


def dialog_disabled_reason(session: Session, name: str, row: ImageRow | None,
                           marked: int) -> str:
    """Why the dialog ``name`` cannot be used on ``row`` (or ``marked`` images) now; ''
    when it can."""
    if name in MUTATING_DIALOGS and (session.read_only or session.offline_reason):
        return why_disabled(session)
    if name == "share" and not marked and row is not None:
        reason = row.not_shareable_reason
        if reason:
            worded = f"main.not_shareable.{row.kind}"
            return t("main.not_shareable", image=row.image_id,
                     reason=t(worded) if is_message(worded) else reason)
    return ""


def why_disabled(session: Session) -> str:
    """Why no change can be made in this session (read-only, or offline)."""
    if session.read_only:
        return t("main.read_only", profile=session.profile_name)
    return t("main.offline", reason=session.offline_reason)
