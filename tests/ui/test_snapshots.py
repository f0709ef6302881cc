"""SVG snapshots of the main screen, the dialogs people look at most, help and details.

The catalogue is the seed-0 demo seen at a fixed moment (see tests/ui/showcase.py), so the
pictures only change when the UI does. Regenerate with ``pytest --snapshot-update``.
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
    parent = tmp_path_factory.mktemp("snapshots")
    fixed_backend(parent / "catalogue")
    return parent


@pytest.fixture
def app(catalogue_parent: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # A relative path, so the header shows "catalogue" and not a temporary folder's name.
    monkeypatch.chdir(catalogue_parent)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return fixed_app(fixed_backend(Path("catalogue")))


def test_main_screen_80x24(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.main_screen)


def test_main_screen_120x40(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(120, 40), run_before=steps.main_screen)


def test_share_dialog_shows_the_diff_of_two_marked_images(snap_compare: SnapCompare,
                                                          app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_share_dialog_steady)


async def _share_dialog_steady(pilot: Any) -> None:
    """The share dialog with its text cursors shown steadily: a blinking one is in either
    phase when the picture is taken."""
    await steps.share_dialog(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle(pilot)


def test_fee_preview_with_holding_costs(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.fee_preview)


def test_help_screen(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.help_screen)


def test_detail_screen_120x40(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(120, 40), run_before=steps.detail_screen)


def test_tasks_view_80x24(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.tasks_view)


def test_cost_dashboard_80x24(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.cost_dashboard)


def test_compare_view_80x24(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.compare_view)


def test_main_screen_without_colour(snap_compare: SnapCompare, catalogue_parent: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(catalogue_parent)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = fixed_app(fixed_backend(Path("catalogue")))
    assert snap_compare(plain, terminal_size=(120, 40), run_before=steps.main_screen)


def test_every_region_80x24(snap_compare: SnapCompare, app: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps.every_region)
