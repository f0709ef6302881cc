"""Form helpers the dialogs share: API calls, parameter building and the inline error text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Static

from ecsimg.domain.errors import ApiError
from ecsimg.service.backend import Backend
from ecsimg.service.machinery.command_line import api_command
from ecsimg.ui import marks
from ecsimg.ui.text import safe

DRY_RUN = {"DryRun": "true"}


@dataclass(frozen=True)
class ApiCall:
    """One API call a dialog would make: the action and its flat aliyun-style parameters."""

    action: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def command(self) -> str:
        return api_command(self.action, self.params)


class FormProblem(Exception):
    """The form cannot become API calls yet (nothing picked, confirmation not typed)."""


def split_words(text: str) -> list[str]:
    """Comma- or space-separated words, blanks and repeats dropped, order kept."""
    words = text.replace(",", " ").replace("，", " ").split()
    return list(dict.fromkeys(words))


def parse_tags(text: str) -> list[tuple[str, str]]:
    """``key=value`` pairs separated by commas (a bare key has an empty value)."""
    tags: list[tuple[str, str]] = []
    for item in text.split(","):
        if not item.strip():
            continue
        key, _, value = item.partition("=")
        tags.append((key.strip(), value.strip()))
    return tags


def tag_params(tags: Iterable[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for n, (key, value) in enumerate(tags, 1):
        params[f"Tag.{n}.Key"] = key
        params[f"Tag.{n}.Value"] = value
    return params


def non_empty(**params: str) -> dict[str, str]:
    """The parameters that have a value: an empty field means "not sent", as in the CLI."""
    return {key: value for key, value in params.items() if value != ""}


def error_text(err: ApiError, prefix: str = "") -> Text:
    """An API error as the dialogs show it: code in bold, then the (untrusted) message."""
    text = Text(end="")
    if prefix:
        text.append(prefix + " ")
    text.append(err.code, style=marks.BAD_CODE)
    text.append(f" ({err.http_status}) ", style=marks.BAD)
    text.append_text(safe(err.message))
    return text


def describe_all(backend: Backend, action: str, params: dict[str, str],
                 list_key: str, item_key: str) -> list[dict[str, Any]]:
    """Every item of a paged Describe* action (PageSize 100), e.g. Instances.Instance[]."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = backend.call(action, {**params, "PageSize": "100", "PageNumber": str(page)})
        found = body.get(list_key, {}).get(item_key, [])
        items.extend(found)
        if len(found) < 100 or len(items) >= int(body.get("TotalCount", len(items))):
            return items
        page += 1


def field_row(label: str, *widgets: Any, row_id: str | None = None) -> Horizontal:
    """A label and its field(s) on one line."""
    return Horizontal(Static(label, classes="field-label"), *widgets, classes="field-row",
                      id=row_id)
