"""A real account's holding costs from the user's price book in the config file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecsimg.bootstrap import open_backend
from ecsimg.cloud.backend import CloudBackend
from ecsimg.config import Settings
from ecsimg.domain import fees
from ecsimg.service.reads.image_rows import ImageRow
from ecsimg.ui.app import make_app
from ecsimg.ui.dialogs.fees import FeePreviewDialog
from ecsimg.ui.screens.costs import CostDashboard, CostView, dashboard_text
from ecsimg.ui.widgets.columns import COLUMNS, text_of
from ecsimg.ui.widgets.details import fees_pane_text
from tests.cloud.account import Account, keyed_catalogue, open_account
from tests.ui.dialog_host import DialogHost, request, screen_text
from tests.ui.dialog_host import settle as settle_dialog
from tests.ui.test_main_screen import image_list, settle

REGIONS = ("cn-hangzhou", "cn-shanghai")
PRICED = "cn-hangzhou"
UNPRICED = "cn-shanghai"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    """A served account synced in two regions."""
    folder = tmp_path_factory.mktemp("prices")
    db, keys = keyed_catalogue(folder)
    opened = open_account(db, keys, folder)
    synced = opened.cloud("sync", *(arg for r in REGIONS for arg in ("--RegionId", r)))
    assert synced.status == 0, synced.err
    yield opened
    opened.served.stop()


def write_prices(folder: Path, table: str) -> Path:
    """A config.toml holding ``table`` (TOML) under the XDG config folder ``folder``."""
    path = folder / "ecsimg" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table, encoding="utf-8")
    return path


@pytest.fixture
def config_home(served: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process on the served account, with its own XDG config folder."""
    monkeypatch.setenv("HOME", str(served.home))
    monkeypatch.setenv("XDG_DATA_HOME", str(served.data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def cloud(served: Account, *, for_screen: bool = False) -> CloudBackend:
    backend = open_backend(cloud="default", endpoint=served.url, for_screen=for_screen)
    assert isinstance(backend, CloudBackend)
    return backend


def own_linux_rows(backend: CloudBackend) -> list[ImageRow]:
    """The account's custom Linux images without a marketplace product, every region."""
    account_id = backend.session.account_id
    return [r for r in backend.all_region_images().rows
            if r.image.owner_kind == "custom" and r.image.owner_id == account_id
            and r.image.os_type == "linux" and not r.image.product_code]


def test_a_price_book_prices_the_named_region_and_leaves_the_others_unknown(
        served: Account, config_home: Path) -> None:
    path = write_prices(config_home,
                        "[prices.default.snapshot_cny_per_gib_month]\ncn-hangzhou = 0.2\n")
    backend = cloud(served)
    book = backend.price_book()
    assert book.source == f"{path} [prices.default]"
    # Only what the user wrote: no licence or disk prices from the demo's book.
    assert book.snapshot_per_gib_month == {PRICED: 0.2}
    assert not book.licence_per_vcpu_hour and not book.disk_per_gib_month
    rows = own_linux_rows(backend)
    priced = [r for r in rows if r.region_id == PRICED]
    unpriced = [r for r in rows if r.region_id == UNPRICED]
    assert priced and unpriced
    cost_column = next(column for column in COLUMNS if column.key == "cost")
    for row in priced:
        pane = backend.details(row).fees
        storage = next(line for line in pane if line.label.startswith("snapshots"))
        gib = int(storage.label.split()[1])
        expected = gib * 0.2 / fees.SNAPSHOT_HOURS_PER_MONTH * fees.HOURS_PER_MONTH
        assert storage.amount == pytest.approx(expected)
        assert storage.note == fees.USER_BOOK and storage.unit == "CNY/mo"
        assert row.monthly_cost == pytest.approx(expected)
        assert text_of(cost_column, row, 0.0, 9).plain.strip() == f"{expected:,.2f}"
        assert f"{expected:,.2f} CNY/mo" in fees_pane_text(pane, title=False).plain
    for row in unpriced:
        pane = backend.details(row).fees
        storage = next(line for line in pane if line.label.startswith("snapshots"))
        assert storage.amount is None and row.monthly_cost is None
        assert storage.note == f"price unknown: not in your price book ({book.source})"
    report = backend.cost_report()
    by_region = {group.name: group.per_month for group in report.regions}
    assert by_region[PRICED] is not None and by_region[UNPRICED] is None
    assert report.per_month is None  # a total over an unknown part is unknown
    held = backend.holding_costs()
    assert held[PRICED] == pytest.approx(by_region[PRICED])
    assert held[UNPRICED] is None
    shown = dashboard_text(report, set(), 120, "default").plain
    assert "Total price unknown" in shown
    assert f"Prices unknown: not in your price book ({book.source})" in shown
    assert f"Prices from your price book ({book.source})" in shown


def test_a_default_price_prices_every_region_and_a_removed_book_is_gone(
        served: Account, config_home: Path) -> None:
    path = write_prices(config_home, "[prices.default.snapshot_cny_per_gib_month]\n"
                                     "default = 0.12\ncn-shanghai = 0.15\n")
    backend = cloud(served)
    report = backend.cost_report()
    assert report.priced and report.per_month is not None and report.per_month > 0
    assert report.source == f"your price book ({path} [prices.default])"
    rows = own_linux_rows(backend)
    for row in rows:
        holding = next(h for h in report.images if h.key == row.key)
        rate = 0.15 if row.region_id == UNPRICED else 0.12
        assert holding.per_month == pytest.approx(
            holding.snapshot_gib * rate * fees.HOURS_PER_MONTH / fees.SNAPSHOT_HOURS_PER_MONTH)
        assert row.monthly_cost == pytest.approx(holding.per_month)
    shown = dashboard_text(report, set(), 120, "default").plain
    assert f"Total {report.per_month:,.2f} CNY/mo" in shown and "unknown" not in shown
    # The book is the config file's: once removed there, the cache has none.
    path.unlink()
    again = cloud(served)
    assert not again.price_book().source and not again.price_book().snapshot_per_gib_month
    assert again.cost_report().per_month is None
    assert again.cost_report().unknown_why == fees.NO_PRICE_BOOK


def test_another_profiles_book_does_not_price_this_account(
        served: Account, config_home: Path) -> None:
    write_prices(config_home, "[prices.prod.snapshot_cny_per_gib_month]\ndefault = 0.12\n")
    backend = cloud(served)
    assert backend.cost_report().per_month is None
    assert all(cost is None for cost in backend.holding_costs().values())


async def test_the_fee_dialog_names_the_book_beside_its_holding_costs(
        served: Account, config_home: Path) -> None:
    path = write_prices(config_home,
                        "[prices.default.snapshot_cny_per_gib_month]\ndefault = 0.12\n")
    backend = cloud(served, for_screen=True)
    row = next(r for r in own_linux_rows(backend) if r.region_id == PRICED)
    held = backend.holding_costs()
    host = DialogHost(FeePreviewDialog(request(backend, (row.image_id,))))
    async with host.run_test(size=(120, 50)) as pilot:
        await settle_dialog(pilot)
        text = screen_text(pilot)
    assert f"prices from your price book ({path} [prices.default])" in text
    assert f"{held[PRICED]:,.2f} CNY" in text
    pane = backend.details(row).fees
    storage = next(line for line in pane if line.label.startswith("snapshots"))
    assert storage.amount is not None
    assert "Holding the image" in text and f"{storage.amount:,.2f} CNY" in text
    assert "price unknown" not in text.split("Holding all your custom images")[1]


def test_a_bad_price_book_is_one_line_naming_the_file(served: Account) -> None:
    # The command's XDG config folder (tests.cli.runner puts it beside its catalogue).
    path = write_prices(served.data / "xdg-config",
                        "[prices.default.snapshot_cny_per_gib_month]\ncn-hangzhou = -1\n")
    try:
        result = served.cloud("api", "DescribeRegions")
    finally:
        path.unlink()
    assert result.status == 2, (result.out, result.err)
    assert result.err.strip() == (
        f"ecsimg: {path}: 'prices.default.snapshot_cny_per_gib_month.cn-hangzhou' must be "
        "CNY per GiB-month, a number from 0 to 100, not -1")


def test_settings_reject_what_is_not_a_price_book() -> None:
    from ecsimg.config import ConfigError, settings_from_dict

    good = settings_from_dict({"prices": {"prod": {"snapshot_cny_per_gib_month": {
        "default": 0.12, "ap-southeast-1": 1}}}}, "c.toml")
    assert good.prices["prod"].snapshot_cny_per_gib_month == {"default": 0.12,
                                                              "ap-southeast-1": 1.0}
    assert Settings().prices == {}
    bad = {
        "not a table": {"prod": 0.12},
        "unknown key 'licence'": {"prod": {"licence": {}}},
        "not a region ID": {"prod": {"snapshot_cny_per_gib_month": {"Hangzhou": 0.1}}},
        "not True": {"prod": {"snapshot_cny_per_gib_month": {"default": True}}},
        "not '0.1'": {"prod": {"snapshot_cny_per_gib_month": {"default": "0.1"}}},
        "not 1000": {"prod": {"snapshot_cny_per_gib_month": {"default": 1000}}},
        "must be a table of region": {"prod": {"snapshot_cny_per_gib_month": 0.12}},
    }
    for expected, prices in bad.items():
        with pytest.raises(ConfigError) as raised:
            settings_from_dict({"prices": prices}, "c.toml")
        message = str(raised.value)
        if expected == "not a table":
            assert "'prices.prod' must be a table" in message
        else:
            assert expected in message, message


async def test_the_tui_shows_the_books_figures_in_the_list_and_the_dashboard(
        served: Account, config_home: Path) -> None:
    path = write_prices(config_home,
                        "[prices.default.snapshot_cny_per_gib_month]\ndefault = 0.12\n")
    backend = cloud(served, for_screen=True)
    report = backend.cost_report()
    assert report.per_month is not None
    app = make_app(backend, Settings())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        # The list shows the region in view: its dearest image costs what the dashboard says.
        linux = {r.key for r in own_linux_rows(backend)}  # no licence whose price is unknown
        held = next(h for h in report.images
                    if h.region_id == backend.session.region_id and h.key in linux)
        row = next(r for r in image_list(app).rows if r.key == held.key)
        assert row.monthly_cost == pytest.approx(held.per_month)
        await pilot.press("dollar_sign")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CostDashboard)
        view = screen.query_one(CostView)
        text = view.text(view.content_region.width).plain
    assert f"Total {report.per_month:,.2f} CNY/mo" in text
    assert f"Prices from your price book ({path} [prices.default])" in text
    assert "unknown" not in text
