"""The replace-system-disk dialog: which instances qualify and why, DryRun, apply, buy."""

from __future__ import annotations

from textual.widgets import Button, Select

from ecsimg.store import tables
from tests.ui.dialog_host import SIZE, click, fill, open_dialog, screen_text, settle
from tests.world import World


async def test_rule_091_replace_lists_running_instance_as_not_qualifying(world: World) -> None:
    image = world.image()
    stopped = world.instance(instance_name="stopped-1")
    running = world.instance(instance_name="running-1", status="Running")
    app = open_dialog(world, "replace_disk", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert f"✓ {stopped.instance_id}" in text
        assert f"✗ {running.instance_id}" in text
        assert "IncorrectInstanceStatus (403)" in text
        select = app.screen.query_one("#replace-instance", Select)
        assert select.value == stopped.instance_id  # the only one that qualifies


async def test_replace_applies_to_the_picked_instance(world: World) -> None:
    image = world.image()
    stopped = world.instance()
    app = open_dialog(world, "replace_disk", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#replace-password", "Secret#2026x")
        text = screen_text(pilot)
        assert "DryRun passed" in text
        assert "--Password '******'" in text and "Secret#2026x" not in text
        # Its data is lost: ctrl+s does nothing but say what to type until the ID is typed.
        assert app.screen.query_one("#apply", Button).variant == "error"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.dismissed
        assert any("Type the instance ID" in n.message for n in app._notifications)
        await fill(pilot, "#replace-confirm", stopped.instance_id)
        await click(pilot, "#apply")
        assert app.dismissed and app.result is not None
    with world.repo.read() as view:
        after = view.get(tables.INSTANCES, stopped.instance_id)
    assert after is not None and after.image_id == image.image_id


async def test_rule_103_replace_shows_malformed_password_inline(world: World) -> None:
    image = world.image()
    stopped = world.instance(image_id="old-image")
    app = open_dialog(world, "replace_disk", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#replace-password", "short")
        assert "InvalidPassword.Malformed (400)" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled
    with world.repo.read() as view:
        after = view.get(tables.INSTANCES, stopped.instance_id)
    assert after is not None and after.image_id == "old-image"


async def test_rule_105_replace_marketplace_needs_a_purchase_and_buy_fixes_it(
        world: World) -> None:
    image = world.marketplace_image()
    stopped = world.instance()
    app = open_dialog(world, "replace_disk", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "QuotaExceed.BuyImage (403)" in screen_text(pilot)
        await click(pilot, "#replace-buy")
        assert "ecsimg market buy" in screen_text(pilot)
        await click(pilot, "#apply")  # the buy dialog's Buy
        await settle(pilot)
        assert f"✓ {stopped.instance_id}" in screen_text(pilot)
    with world.repo.read() as view:
        purchases = view.all(tables.PURCHASES)
    assert len(purchases) == 1 and purchases[0].region_id == "cn-hangzhou"
