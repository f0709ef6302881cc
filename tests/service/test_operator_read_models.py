"""The read models of the cost dashboard and the export stay within the caller's account."""

from __future__ import annotations

import pytest

from tests.world import DEV, OPS, World


def test_image_records_are_describe_images_records_of_what_the_caller_sees(
        world: World) -> None:
    mine = world.image(image_name="mine")
    shared = world.image(owner=DEV, image_name="shared-with-ops")
    world.call("ModifyImageSharePermission", {"ImageId": shared.image_id,
                                              "AddAccount.1": OPS, "RegionId": "cn-hangzhou"},
               profile="dev")
    private = world.image(owner=DEV, image_name="dev-private")
    keys = [mine.key, private.key, "cn-hangzhou/m-gone0000000000000000", shared.key]
    records = world.backend().image_records(keys)
    assert [r["ImageId"] for r in records] == [mine.image_id, shared.image_id]
    described = world.call("DescribeImages", {"ImageId": mine.image_id})["Images"]["Image"]
    assert records[0] == described[0]
    assert records[1]["ImageOwnerAlias"] == "others"


def test_cost_report_holds_the_callers_own_images_in_every_region(world: World) -> None:
    here = world.image(image_name="here", size=40)
    there = world.image(image_name="there", size=20, region="cn-shanghai")
    world.image(owner=DEV, image_name="theirs", size=100)
    report = world.backend().cost_report()
    assert sorted(h.image_id for h in report.images) == sorted([here.image_id,
                                                                there.image_id])
    assert {g.name for g in report.regions} == {"cn-hangzhou", "cn-shanghai"}
    assert report.per_month == pytest.approx(sum(world.backend().holding_costs().values()))
    assert [h.image_id for h in world.backend("dev").cost_report().images] != []
    assert here.image_id not in {h.image_id for h in world.backend("dev").cost_report().images}
