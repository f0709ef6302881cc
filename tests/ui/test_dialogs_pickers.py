"""Region and profile switchers, the activity log, and read-only refusal of mutating dialogs."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from ecsimg.keymap import MUTATING_DIALOGS
from ecsimg.ui.dialogs.forms import ApiCall
from tests.ui.dialog_host import SIZE, open_dialog, screen_text, settle
from tests.world import World


async def test_region_switcher_returns_the_chosen_region(world: World) -> None:
    app = open_dialog(world, "switch_region")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        options = app.screen.query_one("#picker-options", OptionList)
        assert options.get_option_at_index(options.highlighted or 0).id == "cn-hangzhou"
        options.highlighted = [options.get_option_at_index(i).id
                               for i in range(options.option_count)].index("cn-shanghai")
        await pilot.press("enter")
        await settle(pilot)
    assert app.result is not None and app.result.region_id == "cn-shanghai"


async def test_profile_switcher_marks_read_only_and_returns_the_choice(world: World) -> None:
    app = open_dialog(world, "switch_profile")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "read-only" in str(app.screen.query_one("#picker-options", OptionList)
                                  .get_option("audit").prompt)
        options = app.screen.query_one("#picker-options", OptionList)
        options.highlighted = options.get_option_index("dev")
        await pilot.press("enter")
        await settle(pilot)
    assert app.result is not None and app.result.profile_name == "dev"


async def test_activity_log_lists_events_newest_first(world: World) -> None:
    image = world.image()
    world.call("ModifyImageAttribute", ImageId=image.image_id, ImageName="renamed")
    world.advance(60)
    world.error("ModifyImageSharePermission", {"AddAccount.1": "9999999999999999"},
                ImageId=image.image_id)
    app = open_dialog(world, "activity_log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        newer = text.index("InvalidAccount.NotFound")
        older = text.index("ModifyImageAttribute")
        assert newer < older and "default" in text
        await pilot.press("escape")
        await settle(pilot)
    assert app.dismissed and app.result is None


@pytest.mark.parametrize("name", sorted(MUTATING_DIALOGS))
async def test_mutating_dialogs_refuse_to_open_read_only(world: World, name: str) -> None:
    image = world.image()
    app = open_dialog(world, name, (image.image_id,), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=1)
        assert app.dismissed and app.result is None


def test_command_line_quotes_values_and_hides_secrets() -> None:
    call = ApiCall("ModifyImageAttribute", {"ImageName": "web server; rm -rf /",
                                            "Password": "p", "DryRun": "true"})
    assert call.command == ("ecsimg api ModifyImageAttribute --ImageName "
                            "'web server; rm -rf /' --Password '******'")


async def test_region_picker_searches_as_you_type(world: World) -> None:
    app = open_dialog(world, "switch_region")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"shang")
        await settle(pilot)
        options = app.screen.query_one("#picker-options", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["cn-shanghai"]
        await pilot.press("enter")
        await settle(pilot)
    assert app.result is not None and app.result.region_id == "cn-shanghai"
