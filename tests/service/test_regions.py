from __future__ import annotations

from tests.world import World


def test_describe_regions_lists_every_region_with_local_names(world: World) -> None:
    body = world.call("DescribeRegions")
    regions = {r["RegionId"]: r for r in body["Regions"]["Region"]}
    assert regions["cn-hangzhou"]["LocalName"] == "华东1（杭州）"
    assert regions["ap-southeast-1"]["RegionEndpoint"] == "ecs.ap-southeast-1.aliyuncs.com"
    assert len(body["RequestId"]) == 36 and body["RequestId"].upper() == body["RequestId"]
