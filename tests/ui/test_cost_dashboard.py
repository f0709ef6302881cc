"""The cost dashboard: the same figures as the fee pane and holding costs, at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from ecsimg.config import Settings
from ecsimg.service.backend import Backend
from ecsimg.ui.app import make_app
from ecsimg.ui.screens.costs import CostDashboard, CostView, bar, sparkline
from ecsimg.ui.screens.main import MainScreen
from tests.recording_backend import RecordingBackend
from tests.ui.showcase import fixed_backend
from tests.ui.test_main_screen import image_list, settle


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("costs") / "catalogue"
    fixed_backend(folder)
    return folder


@pytest.fixture
def demo(demo_folder: Path) -> Backend:
    return fixed_backend(demo_folder)


def _snapshot_fee(backend: Backend, key: str) -> float:
    """The fee pane's snapshot line of the image at ``key``, read through its region."""
    region_id = key.partition("/")[0]
    regional = backend.in_region(region_id)
    row = next(r for r in regional.images().rows if r.key == key)
    line = next(f for f in regional.details(row).fees if f.label.startswith("snapshots"))
    assert line.amount is not None
    return line.amount


def test_dashboard_figures_are_the_fee_panes_and_holding_costs(demo: Backend) -> None:
    report = demo.cost_report()
    holding = demo.holding_costs()
    assert {g.name: g.per_month for g in report.regions} == pytest.approx(holding)
    assert report.per_month == pytest.approx(sum(holding.values()))
    assert len(report.images) > 10 and len(report.regions) > 1
    for holding_image in report.images:
        assert holding_image.per_month == pytest.approx(_snapshot_fee(demo, holding_image.key),
                                                        abs=1e-9), holding_image.image_id
        assert f"snapshots {holding_image.snapshot_gib} GiB" in [
            f.label for f in demo.in_region(holding_image.region_id).details(next(
                r for r in demo.in_region(holding_image.region_id).images().rows
                if r.key == holding_image.key)).fees]


def _dashboard_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, CostDashboard)
    view = screen.query_one(CostView)
    return view.text(view.content_region.width).plain


async def test_dollar_opens_the_dashboard_with_the_total_and_the_marked_savings(
        demo: Backend) -> None:
    report = demo.cost_report()
    app = make_app(demo, Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        top = report.images[0]
        assert image_list(app).move_to(top.image_id)
        await pilot.press("space")
        await pilot.press("dollar_sign")
        await settle(app, pilot)
        text = _dashboard_text(app)
        assert f"Total {report.per_month:,.2f} CNY/mo" in text
        assert f"{report.snapshot_gib:,} GiB of snapshots" in text
        saved = report.savings({top.key})
        assert saved.with_snapshots is not None and saved.with_snapshots > 0
        assert f"saves {saved.with_snapshots:,.2f} CNY/mo" in text
        assert "saves 0.00 CNY/mo (snapshots stay" in text  # DeleteImage keeps them (Rule 89)
        for group in report.regions:
            assert any(line.startswith(group.name) and f"{group.per_month:,.2f}" in line
                       for line in text.splitlines()), group.name
        assert top.image_id in text
        # Bars and table lines fit 80 columns (prose may wrap): no row is cut or wrapped.
        table_lines = [line for line in text.splitlines()
                       if "█" in line or line.startswith(("Per ", " #"))]
        assert len(table_lines) > 10
        assert max(cell_len(line) for line in table_lines) <= 77
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


async def test_the_palette_entry_opens_the_dashboard_on_any_backend() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await screen.run_key_action("cost_dashboard")
        await settle(app, pilot)
        text = _dashboard_text(app)
        assert "3 images in 1 region" in text and "Marked: none" in text
    assert backend.record.calls == []  # a read model, not an API call


def test_bars_and_sparkline_scale_to_the_largest() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██  "
    assert bar(1, 10, 4) == "▍   "  # an eighth-cell resolution: 3.2 eighths rounds to 3
    assert bar(0, 0, 3) == "   "
    assert sparkline((0, 1, 7, 14)) == "▁▂▅█"  # a week with one image never looks empty
    assert sparkline((0, 0)) == "▁▁"
