from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.domain.validation import name_problem
from ecsimg.service.images.modify import check_family_capacity, check_name_unique
from ecsimg.store import tables
from tests.world import DEV, OPS, World

HZ = "cn-hangzhou"


def modify(world: World, image: m.Image, profile: str = "default", **params: Any) -> m.Image:
    body = world.call("ModifyImageAttribute", ImageId=image.image_id, RegionId=image.region_id,
                      profile=profile, **params)
    assert set(body) == {"RequestId"}
    return current(world, image)


def modify_error(world: World, image: m.Image, profile: str = "default",
                 **params: Any) -> ApiError:
    return world.error("ModifyImageAttribute", ImageId=image.image_id,
                       RegionId=image.region_id, profile=profile, **params)


def current(world: World, image: m.Image) -> m.Image:
    found = world.get_image(image.image_id, image.region_id)
    assert found is not None
    return found


def bulk_images(world: World, template: m.Image, count: int, family_of: Any,
                region: str = HZ) -> None:
    """``count`` copies of ``template`` in one transaction, the n-th in family ``family_of(n)``."""
    with world.repo.transaction() as tx:
        for n in range(count):
            tx.put(tables.IMAGES, dataclasses.replace(
                template, region_id=region, image_id=f"m-bulk{n:016d}", image_name=f"bulk-{n}",
                image_family=family_of(n)))


# -- Rules 29-32: names, descriptions, families ---------------------------------------------


@pytest.mark.parametrize("name", [
    "a", "x" * 129, "1web", "-web", "http://web", "https://web", "aliyun-web", "Aliyun-web",
    "acs:web", "web server", "web/1", "web\x00", "web\x1b[31m", "web\u200b", "webhttp://x",
    "é-web",
])
def test_rule_029_malformed_image_name_is_rejected(world: World, name: str) -> None:
    image = world.image(image_name="before")
    err = modify_error(world, image, ImageName=name)
    assert (err.code, err.http_status) == ("InvalidImageName.Malformed", 400)
    assert current(world, image).image_name == "before"


@pytest.mark.parametrize("name", ["ab", "x" * 128, "生产环境-web_1.0:a", "Web2"])
def test_rule_029_valid_image_names_are_accepted(world: World, name: str) -> None:
    image = world.image()
    assert modify(world, image, ImageName=name).image_name == name


def test_rule_029_name_validator_explains_the_problem() -> None:
    assert name_problem("ok-name") is None
    assert name_problem("a") == "it must be 2 to 128 characters long"
    assert "start" in (name_problem("9lives") or "")
    assert "U+0007" in (name_problem("bell\x07") or "")


def test_rule_030_name_is_unique_among_own_custom_images_in_region(world: World) -> None:
    taken = world.image(image_name="web")
    image = world.image(image_name="db")
    err = modify_error(world, image, ImageName="web")
    assert (err.code, err.http_status) == ("InvalidImageName.Duplicated", 400)
    assert current(world, image).image_name == "db"
    assert modify(world, taken, ImageName="web").image_name == "web"  # its own name
    world.image(owner=DEV, image_name="cache")
    world.image(region="cn-beijing", image_name="queue")
    world.public_image(image_name="public-name")
    assert modify(world, image, ImageName="cache").image_name == "cache"
    assert modify(world, image, ImageName="queue").image_name == "queue"
    assert modify(world, image, ImageName="public-name").image_name == "public-name"


def test_rule_030_check_name_unique_excludes_the_image_itself(world: World) -> None:
    image = world.image(image_name="web")
    with world.repo.read() as view:
        check_name_unique(view, OPS, HZ, "web", exclude_key=image.key)
        check_name_unique(view, DEV, HZ, "web")
        check_name_unique(view, OPS, "cn-beijing", "web")
        with pytest.raises(ApiError) as caught:
            check_name_unique(view, OPS, HZ, "web")
    assert caught.value.code == "InvalidImageName.Duplicated"


@pytest.mark.parametrize("description", ["a", "d" * 257, "http://example.com", "HTTPS://x.y"])
def test_rule_031_malformed_description_is_rejected(world: World, description: str) -> None:
    image = world.image(description="before")
    err = modify_error(world, image, Description=description)
    assert (err.code, err.http_status) == ("InvalidDescription.Malformed", 400)
    assert current(world, image).description == "before"


def test_rule_031_valid_description_is_saved(world: World) -> None:
    image = world.image()
    text = "生产环境 web 镜像, see example.com"
    assert modify(world, image, Description=text).description == text
    assert modify(world, image, Description="d" * 256).description == "d" * 256


@pytest.mark.parametrize("family", ["w", "1web", "aliyun-web", "acs:web", "http://web",
                                    "web family", "f" * 129])
def test_rule_032_malformed_family_is_rejected(world: World, family: str) -> None:
    image = world.image(image_family="web")
    err = modify_error(world, image, ImageFamily=family)
    assert (err.code, err.http_status) == ("InvalidImageFamily.Malformed", 400)
    assert current(world, image).image_family == "web"


# -- Rules 36-38: family limits --------------------------------------------------------------


def test_rule_036_a_family_holds_at_most_100_images(world: World) -> None:
    template = world.image()
    bulk_images(world, template, 100, lambda n: "web")
    outsider = world.image(image_family="db")
    err = modify_error(world, outsider, ImageFamily="web")
    assert (err.code, err.http_status) == ("QuotaExceed.ImageFamily", 403)
    assert current(world, outsider).image_family == "db"
    member = current(world, dataclasses.replace(template, image_id="m-bulk0000000000000000"))
    assert modify(world, member, ImageFamily="web").image_family == "web"  # already in it
    other_account = world.image(owner=DEV, region="cn-shanghai")
    assert modify(world, other_account, "dev", ImageFamily="web").image_family == "web"


def test_rule_037_a_region_holds_at_most_100_families(world: World) -> None:
    template = world.image()
    bulk_images(world, template, 100, lambda n: f"family-{n}")
    newcomer = world.image()
    err = modify_error(world, newcomer, ImageFamily="family-new")
    assert (err.code, err.http_status) == ("QuotaExceed.ImageFamily", 403)
    assert current(world, newcomer).image_family == ""
    assert modify(world, newcomer, ImageFamily="family-7").image_family == "family-7"
    # The only member of family-0 may move to a new family: family-0 empties as it goes.
    only_member = current(world, dataclasses.replace(template, image_id="m-bulk0000000000000000"))
    assert modify(world, only_member, ImageFamily="family-new").image_family == "family-new"
    elsewhere = world.image(region="cn-beijing")
    assert modify(world, elsewhere, ImageFamily="family-x").image_family == "family-x"


def test_rule_036_check_family_capacity_is_reusable(world: World) -> None:
    template = world.image()
    bulk_images(world, template, 100, lambda n: "web")
    with world.repo.read() as view:
        check_family_capacity(view, OPS, HZ, "web", exclude_key=f"{HZ}/m-bulk0000000000000042")
        check_family_capacity(view, OPS, HZ, "")
        check_family_capacity(view, DEV, HZ, "web")
        with pytest.raises(ApiError) as caught:
            check_family_capacity(view, OPS, HZ, "web")
    assert (caught.value.code, caught.value.http_status) == ("QuotaExceed.ImageFamily", 403)


def test_rule_038_family_can_be_changed_but_not_cleared(world: World) -> None:
    image = world.image(image_family="web")
    assert modify(world, image, ImageFamily="").image_family == "web"
    assert modify(world, image, ImageName="renamed").image_family == "web"
    assert modify(world, image, ImageFamily="web-v2").image_family == "web-v2"


# -- Rules 39-40: status ---------------------------------------------------------------------


def test_rule_039_status_can_only_be_deprecated_or_available(world: World) -> None:
    image = world.image()
    assert modify(world, image, Status="Deprecated").status == m.DEPRECATED
    assert modify(world, image, Status="Available").status == m.AVAILABLE
    for bad in ("Creating", "UnAvailable", "CreateFailed", "deprecated", "ALL"):
        err = modify_error(world, image, Status=bad)
        assert (err.code, err.http_status) == ("InvalidStatus.ValueNotSupported", 400)
    assert current(world, image).status == m.AVAILABLE


def test_rule_039_an_image_still_being_created_cannot_change_status(world: World) -> None:
    image = world.image(pending_start=world.clock.now - 1, pending_end=world.clock.now + 60)
    err = modify_error(world, image, Status="Deprecated")
    assert (err.code, err.http_status) == ("IncorrectImageStatus", 400)
    failed = world.image(status=m.CREATE_FAILED)
    assert modify_error(world, failed, Status="Available").code == "IncorrectImageStatus"
    assert current(world, failed).status == m.CREATE_FAILED


def test_rule_040_a_shared_image_must_be_unshared_before_deprecation(world: World) -> None:
    image = world.image(shares=(m.SharePermission(DEV, "2025-07-01T00:00:00Z"),))
    err = modify_error(world, image, Status="Deprecated")
    assert (err.code, err.http_status) == ("OperationDenied.ImageShared", 403)
    assert current(world, image).status == m.AVAILABLE
    world.call("ModifyImageSharePermission", {"ImageId": image.image_id,
                                              "RemoveAccount.1": DEV})
    assert modify(world, image, Status="Deprecated").status == m.DEPRECATED


def test_rule_040_a_community_image_must_be_unpublished_before_deprecation(
        world: World) -> None:
    image = world.image(is_public=True)
    err = modify_error(world, image, Status="Deprecated")
    assert (err.code, err.http_status) == ("OperationDenied.ImageShared", 403)
    assert current(world, image).status == m.AVAILABLE


def test_deprecation_shows_in_describe_images_and_family_lookup(world: World) -> None:
    image = world.image(image_family="web")
    modify(world, image, Status="Deprecated")
    body = world.call("DescribeImages", ImageId=image.image_id, Status="Deprecated")
    assert body["Images"]["Image"][0]["Status"] == "Deprecated"
    assert world.call("DescribeImageFromFamily", ImageFamily="web")["Image"] == {}


# -- Ownership and the other attributes ------------------------------------------------------


@pytest.mark.parametrize("kind", ["public", "marketplace", "shared_to_me", "someone_elses"])
def test_only_own_custom_images_can_be_modified(world: World, kind: str) -> None:
    if kind == "public":
        image = world.public_image()
    elif kind == "marketplace":
        image = world.marketplace_image()
    elif kind == "shared_to_me":
        image = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-07-01T00:00:00Z"),))
    else:
        image = world.image(owner=DEV)
    err = modify_error(world, image, ImageName="mine-now")
    assert (err.code, err.http_status) == ("InvalidImageId.NotFound", 404)
    assert current(world, image) == image


def test_boot_mode_licence_and_features_are_checked_and_shown(world: World) -> None:
    image = world.image()
    modify(world, image, BootMode="UEFI", LicenseType="BYOL",
           **{"Features.NvmeSupport": "unsupported", "Features.ImdsSupport": "v2"})
    [shown] = world.call("DescribeImages", ImageId=image.image_id)["Images"]["Image"]
    assert (shown["BootMode"], shown["LicenseType"]) == ("UEFI", "BYOL")
    assert shown["Features"] == {"NvmeSupport": "unsupported", "ImdsSupport": "v2",
                                 "CpuOnlineUpgrade": "unsupported",
                                 "CpuOnlineDowngrade": "unsupported",
                                 "MemoryOnlineUpgrade": "unsupported",
                                 "MemoryOnlineDowngrade": "unsupported"}
    assert modify_error(world, image, BootMode="Legacy").code == "InvalidParameter"
    assert modify_error(world, image, LicenseType="Free").code == "InvalidLicenseType.NotSupported"
    assert modify_error(world, image, **{"Features.NvmeSupport": "maybe"}).code == (
        "InvalidParameter")
    assert modify_error(world, image, **{"Features.ImdsSupport": "v3"}).code == "InvalidParameter"
    arm = world.image(architecture="arm64", boot_mode="UEFI")
    assert modify_error(world, arm, BootMode="BIOS").code == "InvalidParameter"
    assert current(world, image).boot_mode == "UEFI"


def test_one_bad_value_changes_nothing(world: World) -> None:
    image = world.image(image_name="before", description="old text")
    err = modify_error(world, image, ImageName="after", Description="new text", Status="Gone")
    assert err.code == "InvalidStatus.ValueNotSupported"
    assert current(world, image) == image


def test_empty_values_and_dry_run_change_nothing(world: World) -> None:
    image = world.image(image_name="before", description="old text", image_family="web")
    modify(world, image, ImageName="", Description="", ImageFamily="", Status="")
    assert current(world, image) == image
    err = modify_error(world, image, ImageName="after", DryRun=True)
    assert err.code == "DryRunOperation"
    assert current(world, image) == image
    assert world.error("ModifyImageAttribute").code == "MissingParameter"
