from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.app import ComposeResult
from textual.widgets import Static

from ecsimg.ui import dialogs
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.widgets.header import HeaderBar
from tests.ui.test_main_screen import image_list, main, running, settle
from tests.world import World


class FakeShareDialog(DialogScreen):
    def __init__(self, request: DialogRequest) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        yield Static("fake share dialog")


@pytest.fixture
def fake_share() -> Iterator[list[DialogRequest]]:
    """Registers a share dialog that records its requests; the real registry is restored."""
    seen: list[DialogRequest] = []
    saved = dict(dialogs._FACTORIES), dialogs._loaded

    def factory(request: DialogRequest) -> DialogScreen:
        seen.append(request)
        return FakeShareDialog(request)

    dialogs._FACTORIES.clear()
    dialogs._FACTORIES["share"] = factory
    dialogs._loaded = True
    yield seen
    dialogs._FACTORIES.clear()
    dialogs._FACTORIES.update(saved[0])
    dialogs._loaded = saved[1]


async def test_dialog_keys_push_the_registered_dialog_with_the_marked_images(
        ui_world: World, fake_share: list[DialogRequest]) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        first, second = rows.rows[0], rows.rows[1]
        await pilot.press("space", "space", "s")
        assert isinstance(app.screen, FakeShareDialog)
        assert [r.key for r in fake_share[0].targets] == [first.key, second.key]
        app.screen.dismiss(DialogOutcome(message="Shared", clear_marks=True))
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert rows.marked == set()


async def test_a_dialog_not_written_yet_says_so(
        ui_world: World, fake_share: list[DialogRequest]) -> None:
    async with running(ui_world) as (app, pilot):
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        messages = [n.message for n in app._notifications]
        assert any("not available yet" in m for m in messages)


async def test_read_only_profile_shows_the_badge_and_disables_mutating_keys(
        ui_world: World, fake_share: list[DialogRequest]) -> None:
    async with running(ui_world, profile="audit") as (app, pilot):
        screen = main(app)
        header = screen.query_one(HeaderBar)
        assert header.info.read_only
        assert "READ-ONLY" in str(header.render())
        for dialog in ("share", "copy", "new_image", "import", "export", "edit", "delete",
                       "replace_disk"):
            assert screen.check_action("dialog", (dialog,)) is None, dialog
        assert screen.check_action("dialog", ("fee_preview",)) is True
        await pilot.press("s")
        await pilot.pause()
        assert fake_share == []
        assert isinstance(app.screen, MainScreen)
        # The key is disabled, and pressing it says why rather than doing nothing.
        messages = [n.message for n in app._notifications]
        assert "Share is disabled: profile audit is read-only" in messages


async def test_read_only_flag_disables_mutations_for_a_writable_profile(
        ui_world: World, fake_share: list[DialogRequest]) -> None:
    async with running(ui_world, read_only=True) as (app, pilot):
        await pilot.press("s")
        await pilot.pause()
        assert fake_share == []
        screen = main(app)
        assert screen.check_action("dialog", ("delete",)) is None
        await screen.run_key_action("share")  # the palette's way in is refused too
        assert fake_share == []


async def test_palette_jumps_to_an_image_and_switches_region(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        target = next(r for r in rows.rows if r.name == "web-017")
        await pilot.press("ctrl+p")
        await pilot.press(*target.image_id[:12])
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert rows.current is not None and rows.current.key == target.key
        screen = main(app)
        screen.switch_region("cn-shanghai")
        await settle(app, pilot)
        assert screen.backend.session.region_id == "cn-shanghai"
        assert len(rows.rows) == 0


async def test_profile_switch_reloads_as_the_other_account(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        screen = main(app)
        screen.switch_profile("dev")
        await settle(app, pilot)
        assert screen.backend.session.region_id == "cn-shanghai"  # the profile's own region
        screen.switch_region("cn-hangzhou")
        await settle(app, pilot)
        names = {r.name for r in image_list(app).rows}
        assert "dev-private" in names and "web-001" not in names
        assert screen.query_one(HeaderBar).info.profile_name == "dev"
