from __future__ import annotations

from tests.world import World


def test_describe_regions_lists_every_region_with_local_names(world: World) -> None:
    body = world.call("DescribeRegions")
    regions = {r["RegionId"]: r for r in body["Regions"]["Region"]}
    assert regions["cn-hangzhou"]["LocalName"] == "华东1（杭州）"
    assert regions["ap-southeast-1"]["RegionEndpoint"] == "ecs.ap-southeast-1.aliyuncs.com"
    assert len(body["RequestId"]) == 36 and body["RequestId"].upper() == body["RequestId"]


def test_every_region_endpoint_is_the_official_sdk_one(world: World) -> None:
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.models import Config

    body = world.call("DescribeRegions")
    listed = body["Regions"]["Region"]
    assert len(listed) >= 20
    for region in listed:
        client = Client(Config(region_id=region["RegionId"], access_key_id="k",
                               access_key_secret="s"))
        assert region["RegionEndpoint"] == client._endpoint, region
    by_id = {r["RegionId"]: r["RegionEndpoint"] for r in listed}
    assert by_id["cn-hangzhou"] == "ecs-cn-hangzhou.aliyuncs.com"
