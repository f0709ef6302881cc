"""The TUI's read models show a caller only what the real API would show its account."""

from __future__ import annotations

from pathlib import Path

from ecsimg.service.reads import browse, image_rows
from tests.world import DEV, OPS, PARTNER, World

HZ = "cn-hangzhou"


def _row(world: World, profile: str, image_id: str) -> image_rows.ImageRow:
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


def test_every_read_model_of_the_demo_stays_within_each_account(tmp_path: Path,
                                                                 storage: str) -> None:
    """Every profile, every row of its region: the list, the pane's and the full details,
    and the activity log hold nothing another account's API calls would not show it."""
    from ecsimg.bootstrap import make_context
    from ecsimg.store import tables
    from tests.world import demo_repository

    repo = demo_repository(tmp_path / "demo", storage, random_seed=0, now=1.75e9,
                           task_seconds_per_gib=0)
    with repo.read() as view:
        profiles = [p.name for p in view.all(tables.PROFILES)]
        instances = {i.instance_id: i.owner_id for i in view.all(tables.INSTANCES)}
    checked = 0
    for profile in profiles:
        ctx = make_context(repo, profile)
        account = ctx.account_id
        assert all(e.account_id == account for e in browse.recent_events(ctx, 10_000))
        for n, row in enumerate(browse.load(ctx).rows):
            own = row.kind == "custom"
            assert own or row.share_count == 0, (profile, row.image_id)
            seen = browse.details(ctx, row, full=n % 10 == 0)
            assert own or seen.shares == (), (profile, row.image_id)
            assert all(instances[i.instance_id] == account for i in seen.instances)
            assert seen.source_instance is None or seen.source_instance.owner_id == account
            assert all(e.account_id == account for e in seen.events)
            checked += 1
    assert checked > 200
