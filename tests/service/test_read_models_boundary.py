"""The TUI's read models show a caller only what the real API would show its account."""

from __future__ import annotations

from ecsimg.service import browse
from tests.world import DEV, OPS, PARTNER, World

HZ = "cn-hangzhou"


def _row(world: World, profile: str, image_id: str) -> browse.ImageRow:
    loaded = browse.load(world.ctx(profile), HZ)
    return next(r for r in loaded.rows if r.image_id == image_id)


def _shared_image(world: World) -> str:
    """A dev image shared with ops (default) and partner, renamed once by dev."""
    image = world.image(owner=DEV)
    world.call("ModifyImageSharePermission", {"RegionId": HZ, "ImageId": image.image_id,
                                              "AddAccount.1": OPS, "AddAccount.2": PARTNER},
               profile="dev")
    world.call("ModifyImageAttribute", {"RegionId": HZ, "ImageId": image.image_id,
                                        "ImageName": "dev-private-name"}, profile="dev")
    return image.image_id


def test_a_shared_image_shows_neither_its_recipients_nor_their_count(world: World) -> None:
    image_id = _shared_image(world)
    row = _row(world, "default", image_id)
    assert row.kind == "shared" and row.share_count == 0
    for full in (False, True):
        seen = browse.details(world.ctx("default"), row, full=full)
        assert seen.shares == ()
        assert seen.events == ()  # dev's share and rename are dev's activity
    owner_row = _row(world, "dev", image_id)
    assert owner_row.share_count == 2
    owner_view = browse.details(world.ctx("dev"), owner_row, full=True)
    assert {s.account_id for s in owner_view.shares} == {OPS, PARTNER}
    assert len(owner_view.events) == 2


def test_instances_of_other_accounts_are_not_listed_under_an_image(world: World) -> None:
    public = world.public_image()
    world.instance(owner=DEV, image_id=public.image_id)
    mine = world.instance(owner=OPS, image_id=public.image_id)
    row = _row(world, "default", public.image_id)
    seen = browse.details(world.ctx("default"), row, full=True)
    assert [i.instance_id for i in seen.instances] == [mine.instance_id]


def test_the_activity_log_holds_only_the_callers_account(world: World) -> None:
    _shared_image(world)
    world.call("ModifyImageAttribute", {"RegionId": HZ, "ImageId": world.image().image_id,
                                        "Description": "ops change"})
    for profile, account in (("default", OPS), ("audit", OPS), ("dev", DEV),
                             ("partner", PARTNER)):
        events = browse.recent_events(world.ctx(profile))
        assert all(e.account_id == account for e in events), profile
    assert [e.action for e in browse.recent_events(world.ctx("audit"))] == [
        "ModifyImageAttribute"]
    assert len(browse.recent_events(world.ctx("dev"))) == 2
    assert browse.recent_events(world.ctx("partner")) == []
