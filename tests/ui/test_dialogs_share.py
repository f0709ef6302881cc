"""The share dialog: current accounts, diff, DryRun errors inline, split calls, apply."""

from __future__ import annotations

from ecsimg.domain import models as m
from ecsimg.ui.dialogs.share import ShareDialog
from tests.ui.dialog_host import SIZE, click, fill, open_dialog, screen_text, settle
from tests.world import World

UIDS = [str(6000000000000000 + n) for n in range(1, 31)]


def _shared_image(world: World, count: int = 2) -> m.Image:
    shares = tuple(m.SharePermission(uid, "2025-07-01T00:00:00Z") for uid in UIDS[:count])
    return world.image(image_name="web-base", shares=shares)


async def test_share_shows_current_accounts_and_count(world: World) -> None:
    image = _shared_image(world)
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "2/50 accounts" in text
        assert f"{UIDS[0]}  shared 2025-07-01T00:00:00Z" in text


async def test_rule_049_share_unknown_uid_shows_error_inline_and_does_not_apply(
        world: World) -> None:
    image = _shared_image(world)
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", "9999999999999999")
        text = screen_text(pilot)
        assert "InvalidAccount.NotFound" in text
        assert "+9999999999999999" in text
        assert app.screen.query_one("#apply").disabled
        await click(pilot, "#apply")
        assert not app.dismissed
    after = world.get_image(image.image_id)
    assert after is not None and len(after.shares) == 2


async def test_share_diff_and_apply_adds_and_removes(world: World) -> None:
    image = _shared_image(world)
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", f"{UIDS[5]}, {UIDS[6]} {UIDS[0]}")
        await fill(pilot, "#share-remove", UIDS[1])
        text = screen_text(pilot)
        assert f"+{UIDS[5]}" in text and f"+{UIDS[6]}" in text and f"-{UIDS[1]}" in text
        assert f"already shared: {UIDS[0]}" in text
        assert "DryRun passed" in text
        assert (f"ecsimg api ModifyImageSharePermission --RegionId cn-hangzhou --ImageId "
                f"{image.image_id} --AddAccount.1 {UIDS[5]}") in text
        assert not app.screen.query_one("#apply").disabled
        await click(pilot, "#apply")
        assert app.dismissed and app.result is not None and app.result.reload
    after = world.get_image(image.image_id)
    assert after is not None
    assert {s.account_id for s in after.shares} == {UIDS[0], UIDS[5], UIDS[6]}


async def test_rule_046_share_dialog_splits_more_than_ten_accounts_into_calls(
        world: World) -> None:
    image = _shared_image(world, count=0)
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", " ".join(UIDS[:25]))
        dialog = app.screen
        assert isinstance(dialog, ShareDialog)
        text = screen_text(pilot)
        assert "only the first 10 AddAccount.N" in text and "3 calls" in text
        assert text.count("$ ecsimg api ModifyImageSharePermission") == 3
        await click(pilot, "#apply")
        assert app.dismissed
    after = world.get_image(image.image_id)
    assert after is not None and len(after.shares) == 25


async def test_rule_047_share_dialog_refuses_growth_past_50(world: World) -> None:
    image = _shared_image(world, count=30)
    more = [str(6000000000000000 + n) for n in range(31, 52)]
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", ",".join(more))
        assert "QuotaExceed.ShareImageUser" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled


async def test_share_works_on_several_marked_images(world: World) -> None:
    first, second = _shared_image(world), world.image(image_name="db-base")
    app = open_dialog(world, "share", (first.image_id, second.image_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", UIDS[9])
        assert screen_text(pilot).count("$ ecsimg api ModifyImageSharePermission") == 2
        await click(pilot, "#apply")
        assert app.dismissed and app.result is not None and app.result.clear_marks
    for image in (first, second):
        after = world.get_image(image.image_id)
        assert after is not None and UIDS[9] in {s.account_id for s in after.shares}


async def test_share_refuses_to_open_read_only(world: World) -> None:
    image = _shared_image(world)
    app = open_dialog(world, "share", (image.image_id,), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.dismissed and app.result is None


async def test_ctrl_s_applies_from_the_field_and_only_when_the_check_passed(world: World) -> None:
    image = _shared_image(world)
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", "9999999999999999")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.dismissed  # refused by the live check: ctrl+s does nothing
        await fill(pilot, "#share-add", UIDS[9])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.dismissed
    after = world.get_image(image.image_id)
    assert after is not None and UIDS[9] in {s.account_id for s in after.shares}
