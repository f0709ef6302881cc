"""``service.check``: a plan of several calls checked together, nothing written."""

from __future__ import annotations

import pytest

from ecsimg import service
from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.service.machinery.door import PlannedCall
from ecsimg.store import tables
from ecsimg.store.demo.base import DIRECTORY_ACCOUNT_IDS
from tests.world import World

ON_IMAGES = {"RegionId": "cn-hangzhou", "ResourceType": "image"}


def share_call(image_id: str, adds: tuple[str, ...]) -> PlannedCall:
    params = {"RegionId": "cn-hangzhou", "ImageId": image_id}
    params.update({f"AddAccount.{n}": uid for n, uid in enumerate(adds, 1)})
    return ("ModifyImageSharePermission", params)


def check_error(world: World, calls: list[PlannedCall], profile: str = "default",
                read_only: bool = False) -> ApiError:
    with pytest.raises(ApiError) as raised:
        service.check(world.ctx(profile, read_only), calls)
    return raised.value


def catalogue(world: World) -> tuple[list[m.Image], list[m.Event]]:
    with world.repo.read() as view:
        return view.all(tables.IMAGES), view.all(tables.EVENTS)


def test_a_plan_that_passes_writes_nothing_and_logs_nothing(world: World) -> None:
    image = world.image()
    before = catalogue(world)
    calls = [share_call(image.image_id, DIRECTORY_ACCOUNT_IDS[:10]),
             share_call(image.image_id, DIRECTORY_ACCOUNT_IDS[10:20]),
             ("ModifyImageAttribute", {"ImageId": image.image_id, "ImageName": "renamed"})]
    service.check(world.ctx(), calls)
    assert catalogue(world) == before


def test_the_second_call_sees_what_the_first_leaves_and_fails_with_its_index(
        world: World) -> None:
    """45 accounts, then 5 and 5 more: each call alone fits under 50, the second does not
    after the first (Rule 47)."""
    image = world.image(shares=tuple(m.SharePermission(uid, "2026-01-01T00:00:00Z")
                                     for uid in DIRECTORY_ACCOUNT_IDS[:45]))
    first = share_call(image.image_id, DIRECTORY_ACCOUNT_IDS[45:50])
    second = share_call(image.image_id, DIRECTORY_ACCOUNT_IDS[50:55])
    service.check(world.ctx(), [second])  # alone, it would pass
    before = catalogue(world)
    err = check_error(world, [first, second])
    assert (err.code, err.http_status, err.call_index) == ("QuotaExceed.ShareImageUser", 403, 1)
    assert err.request_id
    assert catalogue(world) == before


def test_untagging_first_makes_room_for_the_tags_set_after(world: World) -> None:
    """18 tags; remove 3 and add 4: 19 in the end, though TagResources alone would make 22
    (Rule 35)."""
    image = world.image(tags=tuple(m.Tag(f"k{n:02d}", "") for n in range(18)))
    target = {**ON_IMAGES, "ResourceId.1": image.image_id}
    untag: PlannedCall = ("UntagResources", {**target, "TagKey.1": "k00", "TagKey.2": "k01",
                                             "TagKey.3": "k02"})
    tag: PlannedCall = ("TagResources", {**target, **{
        f"Tag.{n}.Key": f"new{n}" for n in range(1, 5)}})
    assert check_error(world, [tag]).call_index == 0
    service.check(world.ctx(), [untag, tag])
    err = check_error(world, [untag, tag, ("TagResources", {
        **target, "Tag.1.Key": "one-more", "Tag.2.Key": "and-another"})])
    assert (err.code, err.call_index) == ("QuotaExceed.Tags", 2)
    stored = world.get_image(image.image_id)
    assert stored is not None and len(stored.tags) == 18


def test_a_bad_parameter_names_its_call_before_anything_runs(world: World) -> None:
    image = world.image()
    err = check_error(world, [
        ("ModifyImageAttribute", {"ImageId": image.image_id, "ImageName": "ok"}),
        ("ModifyImageAttribute", {"ImageId": image.image_id, "ImageName": "bad \udcff"}),
    ])
    assert (err.code, err.call_index) == ("InvalidParameter", 1)
    assert catalogue(world)[1] == []  # a check is never logged, not even its refusals


@pytest.mark.parametrize(("profile", "read_only"), [("audit", False), ("default", True)])
def test_a_read_only_session_is_refused_at_the_first_mutating_call(
        world: World, profile: str, read_only: bool) -> None:
    image = world.image()
    err = check_error(world, [("DescribeImages", {}),
                              ("DeleteImage", {"ImageId": image.image_id})],
                      profile, read_only)
    assert (err.code, err.http_status, err.call_index) == ("Forbidden.ReadOnly", 403, 1)


def test_an_unknown_action_in_a_plan_is_a_usage_error(world: World) -> None:
    with pytest.raises(service.UnknownAction):
        service.check(world.ctx(), [("DescribeImages", {}), ("DescribeEverything", {})])
