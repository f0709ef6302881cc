"""The detail view (enter): every image action works there, it uses the width, IDs copy."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ecsimg.domain import models as m
from ecsimg.ui.app import EcsImgApp
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.dialogs.edit import EditDialog
from ecsimg.ui.dialogs.fees import FeePreviewDialog
from ecsimg.ui.dialogs.share import ShareDialog
from ecsimg.ui.screens.detail import CopyIdPicker, DetailScreen
from tests.ui.test_main_screen import image_list, running, settle
from tests.world import T0, World


async def _open_detail(app: EcsImgApp, pilot: Pilot[int], name: str) -> DetailScreen:
    rows = image_list(app)
    assert rows.move_to(next(r.key for r in rows.rows if r.name == name))
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, DetailScreen)
    return app.screen


@pytest.mark.parametrize(("key", "dialog"), [
    ("s", ShareDialog), ("e", EditDialog), ("f", FeePreviewDialog)])
async def test_image_actions_work_from_the_detail_view(world: World, key: str,
                                                       dialog: type) -> None:
    world.image(image_name="web")
    world.image(image_name="other")
    async with running(world, size=(120, 40)) as (app, pilot):
        detail = await _open_detail(app, pilot, "web")
        await pilot.press(key)
        await settle(app, pilot)
        opened = app.screen
        assert isinstance(opened, dialog) and isinstance(opened, Dialog)
        assert opened.request.current is not None
        assert opened.request.current.image_id == detail.row.image_id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)


async def test_detail_view_uses_the_width_at_120_columns(world: World) -> None:
    world.image(image_name="web")
    async with running(world, size=(120, 40)) as (app, pilot):
        detail = await _open_detail(app, pilot, "web")
        body = detail.query_one("#detail-body")
        side = detail.query_one("#detail-side")
        assert body.size.width >= 50 and side.size.width >= 50
        assert side.region.x > body.region.x  # side by side
        assert "Events" in str(detail.query_one("#detail-side-text", Static).content)


async def test_any_id_shown_can_be_copied(world: World) -> None:
    instance = world.instance()
    image = world.image(image_name="web", source_instance_id=instance.instance_id)
    snapshot_id = image.disk_mappings[0].snapshot_id
    async with running(world, size=(120, 40)) as (app, pilot):
        await _open_detail(app, pilot, "web")
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CopyIdPicker)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert any(snapshot_id in label for label in labels)
        assert any(instance.instance_id in label for label in labels)
        options.highlighted = next(n for n, label in enumerate(labels) if snapshot_id in label)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.clipboard == snapshot_id
        assert isinstance(app.screen, DetailScreen)


async def test_share_key_in_detail_view_of_a_public_image_says_why(world: World) -> None:
    world.public_image()
    async with running(world, size=(120, 40)) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        assert any("is a public image" in n.message for n in app._notifications)


async def test_one_share_reads_1_account(world: World) -> None:
    world.image(image_name="web", shares=(m.SharePermission("1111222233334444",
                                                            "2025-07-01T00:00:00Z"),))
    async with running(world, size=(120, 40)) as (app, pilot):
        detail = await _open_detail(app, pilot, "web")
        text = str(detail.query_one("#detail-text", Static).content)
    assert "1 account" in text and "1 accounts" not in text


async def test_deleting_from_the_detail_view_goes_back_to_the_list(world: World) -> None:
    image = world.image(image_name="web")
    world.image(image_name="other")
    async with running(world, size=(120, 40)) as (app, pilot):
        await _open_detail(app, pilot, "web")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        await pilot.click("#apply")
        await settle(app, pilot)
        assert not isinstance(app.screen, DetailScreen)
        assert all(r.image_id != image.image_id for r in image_list(app).rows)
    assert world.get_image(image.image_id) is None


async def test_detail_view_follows_a_creating_image(world: World) -> None:
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 100)
    async with running(world, size=(120, 40)) as (app, pilot):
        detail = await _open_detail(app, pilot, "being-made")
        before = str(detail.query_one("#detail-text", Static).content)
        world.advance(40)
        for _ in range(100):  # the view is read again every second while the image is busy
            await pilot.pause(0.1)
            await settle(app, pilot)
            after = str(detail.query_one("#detail-text", Static).content)
            if after != before:
                break
    assert "Creating" in before and before != after


async def test_detail_view_reads_an_image_again_once_it_is_done(world: World) -> None:
    """The last read while it was Creating does not stay on screen at 9x%."""
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 20)
    async with running(world, size=(120, 40)) as (app, pilot):
        detail = await _open_detail(app, pilot, "being-made")
        assert "Creating" in str(detail.query_one("#detail-text", Static).content)
        world.advance(30)
        for _ in range(60):  # read every second while it is busy, and once more after
            await pilot.pause(0.1)
            await settle(app, pilot)
            after = str(detail.query_one("#detail-text", Static).content)
            if "Creating" not in after:
                break
    assert "Creating" not in after and "Available" in after
