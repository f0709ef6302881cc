"""The delete dialog: confirmation, the typed ID with Force or the count for several images."""

from __future__ import annotations

from textual.widgets import Button, Checkbox

from ecsimg.domain import models as m
from tests.ui.dialog_host import SIZE, click, fill, open_dialog, screen_text, settle
from tests.world import World


async def test_delete_one_image_needs_only_the_button(world: World) -> None:
    image = world.image()
    app = open_dialog(world, "delete", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#delete-confirm-row").display
        assert f"ecsimg api DeleteImage --RegionId cn-hangzhou --ImageId {image.image_id}" \
            in screen_text(pilot)
        await click(pilot, "#apply")
        assert app.dismissed and app.result is not None and app.result.reload
    assert world.get_image(image.image_id) is None


async def test_delete_with_force_needs_the_typed_image_id(world: World) -> None:
    image = world.image()
    app = open_dialog(world, "delete", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#delete-force", Checkbox).value = True
        await settle(pilot)
        assert "--Force true" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled
        await fill(pilot, "#delete-confirm", image.image_id[:-1])
        assert app.screen.query_one("#apply").disabled
        await click(pilot, "#apply")
        assert not app.dismissed
        await fill(pilot, "#delete-confirm", image.image_id)
        assert not app.screen.query_one("#apply").disabled
        await click(pilot, "#apply")
        assert app.dismissed
    assert world.get_image(image.image_id) is None


async def test_delete_several_images_needs_the_typed_count(world: World) -> None:
    first, second = world.image(), world.image()
    app = open_dialog(world, "delete", (first.image_id, second.image_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "(2)" in screen_text(pilot)
        apply = app.screen.query_one("#apply", Button)
        assert apply.disabled and apply.variant == "error"
        await pilot.press("ctrl+s")  # too early: it says what to type instead of nothing
        await settle(pilot)
        assert not app.dismissed
        assert any("Type the number of images (2)" in n.message for n in app._notifications)
        await fill(pilot, "#delete-confirm", "2")
        await click(pilot, "#apply")
        assert app.dismissed and app.result is not None and app.result.clear_marks
    assert world.get_image(first.image_id) is None and world.get_image(second.image_id) is None


async def test_rule_088_delete_shared_image_shows_image_use_shared_inline(world: World) -> None:
    image = world.image(shares=(m.SharePermission("6000000000000001", "2025-07-01T00:00:00Z"),))
    app = open_dialog(world, "delete", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "ImageUseShared (403)" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled
        await click(pilot, "#apply")
        assert not app.dismissed
    assert world.get_image(image.image_id) is not None


async def test_rule_087_delete_in_use_image_passes_only_with_force(world: World) -> None:
    image = world.image()
    world.instance(image_id=image.image_id)
    app = open_dialog(world, "delete", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "ImageUsingByInstance (403)" in screen_text(pilot)
        app.screen.query_one("#delete-force", Checkbox).value = True
        await settle(pilot)
        assert "DryRun passed" in screen_text(pilot)


async def test_delete_refuses_to_open_read_only(world: World) -> None:
    image = world.image()
    app = open_dialog(world, "delete", (image.image_id,), profile="audit")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.dismissed and app.result is None
    assert world.get_image(image.image_id) is not None
