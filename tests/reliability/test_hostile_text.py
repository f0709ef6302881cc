"""Hostile catalogue text in every field shows literally on the detail screen and in dialogs
(the list and the details pane: tests/ui/test_main_screen.py and test_pty_display.py)."""

from __future__ import annotations

from textual.widgets import Input, SelectionList, Static

from ecsimg.config import Settings
from ecsimg.ui.app import make_app
from ecsimg.ui.screens.detail import DetailScreen
from ecsimg.ui.widgets.image_list import ImageList
from tests.reliability.hostile import HOSTILE, SHOWN, hostile_images
from tests.reliability.ui import settle_app
from tests.ui.dialog_host import SIZE, open_dialog, screen_text, settle
from tests.world import World


async def test_hostile_text_in_every_field_shows_literally_on_the_detail_screen(
        world: World) -> None:
    images = hostile_images(world)
    app = make_app(world.backend(), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_app(pilot)
        rows = app.screen.query_one(ImageList)
        for kind, image in images.items():
            assert rows.move_to(image.key)
            await pilot.press("enter")
            await settle_app(pilot)
            assert isinstance(app.screen, DetailScreen)
            body = str(app.screen.query_one("#detail-text", Static).content)
            n = list(HOSTILE).index(kind)
            shown = SHOWN[kind]
            for field in (f"h{n}-{shown}-end", f"d{n}-{shown}", f"f{n}{shown}", f"v{n}{shown}",
                          f"t{n}{shown}"):
                assert field in body, (kind, field)
            assert "\x1b" not in app.export_screenshot()
            await pilot.press("escape")
            await settle_app(pilot)
            assert not isinstance(app.screen, DetailScreen)


async def test_edit_dialog_shows_hostile_fields_sanitised_and_changes_nothing(
        world: World) -> None:
    images = hostile_images(world)
    for kind in ("osc52", "clear", "bidi", "markup", "emoji"):
        image = images[kind]
        n = list(HOSTILE).index(kind)
        app = open_dialog(world, "edit", (image.image_id,))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.query_one("#edit-name", Input).value == f"h{n}-{SHOWN[kind]}-end"
            assert app.screen.query_one("#edit-description", Input).value == f"d{n}-{SHOWN[kind]}"
            # Shown sanitised and left alone, the fields stand for the stored values.
            assert "nothing to change" in screen_text(pilot), kind
            assert "\x1b" not in app.export_screenshot()
    after = world.get_image(images["osc52"].image_id)
    assert after is not None and after.image_name == images["osc52"].image_name


async def test_snapshot_names_in_pick_lists_are_not_markup(world: World) -> None:
    for n, text in enumerate(HOSTILE.values()):
        world.snapshot(disk_type="data", snapshot_name=f"s{n}-{text}")
    app = open_dialog(world, "new_image")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.screen.query_one("#new-data-snapshots", SelectionList)
        labels = [str(data.get_option_at_index(i).prompt) for i in range(data.option_count)]
        for n, shown in enumerate(SHOWN.values()):
            assert any(label.endswith(f"s{n}-{shown}") for label in labels), (shown, labels)
