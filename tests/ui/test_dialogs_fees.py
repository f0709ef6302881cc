"""The fee preview and the marketplace buy dialog."""

from __future__ import annotations

from textual.widgets import Button, Input, Select

from ecsimg.store import tables
from tests.ui.dialog_host import SIZE, click, fill, open_dialog, screen_text, settle
from tests.world import World


async def test_rule_110_fee_preview_of_custom_image_shows_storage_and_holding(
        world: World) -> None:
    image = world.image(size=40)
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "Licence" in text and "Snapshot storage" in text and "Image fees" in text
        assert "Holding the image" in text and "per month" in text
        assert "$ ecsimg api DescribePrice --RegionId cn-hangzhou --ImageId" in text
        assert not app.screen.query("#apply")  # a read-only dialog has no Apply


async def test_rule_109_windows_licence_scales_with_vcpus(world: World) -> None:
    image = world.public_image(os_type="windows", image_id="win2022_x64_40G_alibase_20250101.vhd",
                               size=40, region="cn-hongkong")
    app = open_dialog(world, "fee_preview", (image.image_id,), region_id="cn-hongkong")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = screen_text(pilot)
        app.screen.query_one("#fee-type", Select).value = "ecs.g7.2xlarge"
        await settle(pilot)
        second = screen_text(pilot)
    assert "Licence" in first and first != second


async def test_fee_preview_shows_bad_period_inline(world: World) -> None:
    image = world.image()
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#fee-unit", Select).value = "Month"
        await fill(pilot, "#fee-period", "12")
        assert "InvalidPeriod (400)" in screen_text(pilot)


async def test_rule_113_subscription_marketplace_needs_prepaid(world: World) -> None:
    image = world.marketplace_image(pricing_model="subscription", price=99.0)
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "InvalidMarketImageChargeType.NotSupport" in screen_text(pilot)
        app.screen.query_one("#fee-unit", Select).value = "Month"
        await settle(pilot)
        text = screen_text(pilot)
        assert "Marketplace" in text and "InvalidMarketImageChargeType" not in text


async def test_rule_114_buy_from_fee_preview_records_a_purchase(world: World) -> None:
    image = world.marketplace_image(pricing_model="free", price=0.0)
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await click(pilot, "#fee-buy")
        assert f"ecsimg market buy {image.image_id} --RegionId cn-hangzhou --Amount 1" \
            in screen_text(pilot)
        app.screen.query_one("#buy-amount", Input).value = "2"
        await settle(pilot)
        await click(pilot, "#apply")
        await pilot.press("escape")
        await settle(pilot)
        assert app.dismissed and app.result is not None
        assert "Bought 2 use(s)" in app.result.message
    with world.repo.read() as view:
        assert len(view.all(tables.PURCHASES)) == 2


async def test_buy_bad_amount_shows_error_and_buys_nothing(world: World) -> None:
    image = world.marketplace_image()
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await click(pilot, "#fee-buy")
        app.screen.query_one("#buy-amount", Input).value = "1000"
        await settle(pilot)
        await click(pilot, "#apply")
        assert "InvalidParameter (400)" in screen_text(pilot)
    with world.repo.read() as view:
        assert view.all(tables.PURCHASES) == []


async def test_empty_count_answers_as_the_cli_does(world: World) -> None:
    """An emptied Count is what ``--Amount ''`` is to the CLI: DescribePrice takes it as 1."""
    image = world.marketplace_image(pricing_model="one_time", price=9.9)
    cli = world.call("DescribePrice", {"ImageId": image.image_id, "InstanceType": "ecs.g7.large",
                                       "Amount": ""})
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#fee-type", Select).value = "ecs.g7.large"
        await fill(pilot, "#fee-count", "")
        text = screen_text(pilot)
    assert "computing" not in text
    trade = cli["PriceInfo"]["Price"]["TradePrice"]
    assert f"{trade:,.2f} CNY" in text
    # The one-time price is its own line, not part of the period's image fees.
    assert "One-time" in text and "9.90 CNY" in text


async def test_money_in_the_fee_preview_says_its_period(world: World) -> None:
    image = world.image(size=40)
    app = open_dialog(world, "fee_preview", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#fee-unit", Select).value = "Month"
        await settle(pilot)
        text = screen_text(pilot)
    assert "for 1 Month (730 h)" in text


async def test_buy_button_is_disabled_and_says_so_when_read_only(world: World) -> None:
    image = world.marketplace_image(pricing_model="one_time", price=9.9)
    app = open_dialog(world, "fee_preview", (image.image_id,), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        button = app.screen.query_one("#fee-buy", Button)
        assert button.disabled and "read-only" in str(button.label)
