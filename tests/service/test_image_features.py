"""DescribeImages' Features, SecureBootOptions and DetectionOptions, in the SDK's shape."""

from __future__ import annotations

from typing import Any

from alibabacloud_ecs20140526 import models as sdk

from tests.world import World


def shown(world: World, image_id: str, **params: Any) -> dict[str, Any]:
    body = world.call("DescribeImages", ImageId=image_id, Status="ALL", **params)
    [image] = body["Images"]["Image"]
    return image  # type: ignore[no-any-return]


def test_the_reply_survives_the_sdk_response_model(world: World) -> None:
    """Every nested field has the SDK's name: reading the reply into the model loses nothing."""
    image = world.image(size=40, detection_strategy="Standard", nvme_support="unsupported")
    body = world.call("DescribeImages", ImageId=image.image_id)
    parsed: dict[str, Any] = sdk.DescribeImagesResponseBody().from_map(body).to_map()
    [mine], [theirs] = body["Images"]["Image"], parsed["Images"]["Image"]
    for key in ("Features", "SecureBootOptions", "DetectionOptions", "DiskDeviceMappings", "Tags"):
        assert theirs[key] == mine[key], key
    assert set(mine) <= set(theirs)


def test_online_resizing_features_and_their_filter(world: World) -> None:
    hot = world.public_image(image_id="aliyun_3_x64_20G_alibase_20250629.vhd",
                             cpu_online_upgrade="supported", memory_online_upgrade="supported")
    cold = world.public_image(image_id="ubuntu_24_04_x64_20G_alibase_20250101.vhd")
    assert shown(world, hot.image_id)["Features"] == {
        "NvmeSupport": "supported", "ImdsSupport": "v1", "CpuOnlineUpgrade": "supported",
        "CpuOnlineDowngrade": "unsupported", "MemoryOnlineUpgrade": "supported",
        "MemoryOnlineDowngrade": "unsupported"}

    def found(key: str, value: str) -> set[str]:
        body = world.call("DescribeImages", {"Filter.1.Key": key, "Filter.1.Value": value},
                          ImageOwnerAlias="system", PageSize=100)
        return {i["ImageId"] for i in body["Images"]["Image"]}

    assert found("CpuOnlineUpgrade", "supported") == {hot.image_id}
    assert found("MemoryOnlineUpgrade", "unsupported") == {cold.image_id}
    assert found("CpuOnlineDowngrade", "supported") == set()


def test_custom_images_keep_their_base_features(world: World) -> None:
    base = world.public_image(cpu_online_upgrade="supported", secure_boot_support="true")
    inst = world.instance(image_id=base.image_id)
    image_id = world.call("CreateImage", InstanceId=inst.instance_id,
                          ImageName="from-hot-base")["ImageId"]
    world.advance(10_000)
    image = shown(world, image_id)
    assert image["Features"]["CpuOnlineUpgrade"] == "supported"
    assert image["SecureBootOptions"] == {"SecureBootSupport": "true"}


def test_secure_boot_option_given_at_creation_is_shown(world: World) -> None:
    snap = world.snapshot(size=40)
    image_id = world.call("CreateImage", {"SecureBootOptions.SecureBootSupport": "true"},
                          SnapshotId=snap.snapshot_id, ImageName="secure-one")["ImageId"]
    assert shown(world, image_id)["SecureBootOptions"] == {"SecureBootSupport": "true"}
    plain = world.image(size=40)
    assert shown(world, plain.image_id)["SecureBootOptions"] == {"SecureBootSupport": "false"}


def test_detection_runs_while_the_image_is_made_and_reports_risks(world: World) -> None:
    snap = world.snapshot(size=40)
    image_id = world.call("CreateImage", SnapshotId=snap.snapshot_id, ImageName="checked-one",
                          DetectionStrategy="Standard")["ImageId"]
    assert shown(world, image_id)["Status"] == "Creating"
    assert shown(world, image_id)["DetectionOptions"] == {"Status": "Processing",
                                                          "Items": {"Item": []}}
    world.advance(10_000)
    assert shown(world, image_id)["DetectionOptions"] == {"Status": "Finished",
                                                          "Items": {"Item": []}}
    risky = world.image(size=40, detection_strategy="Standard", nvme_support="unsupported")
    assert shown(world, risky.image_id)["DetectionOptions"]["Items"]["Item"] == [
        {"Name": "Nvme", "Value": "Unsupported", "RiskLevel": "High",
         "RiskCode": "NVMe.NotInstallded"}]
    unchecked = world.image(size=40)
    assert shown(world, unchecked.image_id)["DetectionOptions"] == {"Status": "",
                                                                    "Items": {"Item": []}}


def test_demo_public_images_carry_realistic_features() -> None:
    from ecsimg.store.demo import public

    aliyun3 = public.template("aliyun3")
    assert (aliyun3.cpu_online_upgrade, aliyun3.memory_online_upgrade) == ("supported",) * 2
    assert aliyun3.cpu_online_downgrade == "unsupported" and aliyun3.imds_support == "v2"
    windows = next(t for (key, _), t in public.TEMPLATES.items() if key.startswith("win"))
    assert windows.cpu_online_upgrade == "unsupported" and windows.imds_support == "v1"
