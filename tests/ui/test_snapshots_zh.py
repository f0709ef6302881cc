"""SVG snapshots of the Simplified Chinese interface at 80x24: main screen, a dialog, help.

The same fixed catalogue and clock as the English snapshots (tests/ui/showcase.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.ui import showcase_steps as steps
from tests.ui.showcase import fixed_app, fixed_backend, settle

SnapCompare = Callable[..., bool]


@pytest.fixture(scope="module")
def catalogue_parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("snapshots-zh")
    fixed_backend(parent / "catalogue")
    return parent


@pytest.fixture
def app(catalogue_parent: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(catalogue_parent)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return fixed_app(fixed_backend(Path("catalogue")), "zh-CN")


def test_main_screen_80x24_zh(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.main_screen)


async def _share_dialog_steady(pilot: Any) -> None:
    await steps.share_dialog(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle(pilot)


def test_share_dialog_zh(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_share_dialog_steady)


def test_fee_preview_zh(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.fee_preview)


def test_help_screen_zh(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.help_screen)
