from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.store import tables
from ecsimg.store.demo.base import DIRECTORY_ACCOUNT_IDS
from tests.world import DEV, OPS, PARTNER, World

HZ = "cn-hangzhou"
JAPAN_ACCOUNT = DIRECTORY_ACCOUNT_IDS[9]  # every tenth directory account is on the Japan site


def share_params(image_id: str, adds: list[str] | tuple[str, ...] = (),
                 removes: list[str] | tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"ImageId": image_id, **extra}
    params.update({f"AddAccount.{n}": a for n, a in enumerate(adds, 1)})
    params.update({f"RemoveAccount.{n}": a for n, a in enumerate(removes, 1)})
    return params


def share(world: World, image_id: str, adds: list[str] | tuple[str, ...] = (),
          removes: list[str] | tuple[str, ...] = (), profile: str = "default",
          **extra: Any) -> dict[str, Any]:
    return world.call("ModifyImageSharePermission", share_params(image_id, adds, removes, **extra),
                      profile=profile)


def share_error(world: World, image_id: str, adds: list[str] | tuple[str, ...] = (),
                removes: list[str] | tuple[str, ...] = (), profile: str = "default",
                **extra: Any) -> ApiError:
    return world.error("ModifyImageSharePermission",
                       share_params(image_id, adds, removes, **extra), profile=profile)


def shared_with(world: World, image: m.Image) -> list[str]:
    current = world.get_image(image.image_id, image.region_id)
    assert current is not None
    return [s.account_id for s in current.shares]


def shares_of(accounts: list[str] | tuple[str, ...]) -> tuple[m.SharePermission, ...]:
    return tuple(m.SharePermission(a, "2025-07-01T00:00:00Z") for a in accounts)


def visible_to_dev(world: World, image: m.Image) -> bool:
    body = world.call("DescribeImages", RegionId=image.region_id, ImageId=image.image_id,
                      Status="ALL", profile="dev")
    return bool(body["TotalCount"] == 1)


def test_share_adds_accounts_with_time_and_returns_only_request_id(world: World) -> None:
    image = world.image()
    body = share(world, image.image_id, [DEV, PARTNER])
    assert set(body) == {"RequestId"}
    stored = world.get_image(image.image_id)
    assert stored is not None
    assert [(s.account_id, s.shared_time) for s in stored.shares] == [
        (DEV, "2026-01-01T00:00:00Z"), (PARTNER, "2026-01-01T00:00:00Z")]
    assert visible_to_dev(world, image)


def test_share_readding_keeps_time_and_removing_absent_is_no_op(world: World) -> None:
    image = world.image(shares=shares_of([DEV]))
    world.advance(3600)
    share(world, image.image_id, [DEV, PARTNER], removes=[DIRECTORY_ACCOUNT_IDS[0]])
    stored = world.get_image(image.image_id)
    assert stored is not None
    assert [(s.account_id, s.shared_time) for s in stored.shares] == [
        (DEV, "2025-07-01T00:00:00Z"), (PARTNER, "2026-01-01T01:00:00Z")]


def test_share_same_account_added_and_removed_is_invalid(world: World) -> None:
    image = world.image()
    err = share_error(world, image.image_id, [DEV], [DEV])
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert shared_with(world, image) == []


def test_share_dry_run_and_read_only_change_nothing(world: World) -> None:
    image = world.image()
    assert share_error(world, image.image_id, [DEV], DryRun=True).code == "DryRunOperation"
    assert shared_with(world, image) == []
    err = share_error(world, image.image_id, [DEV], profile="audit")
    assert (err.code, err.http_status) == ("Forbidden.ReadOnly", 403)
    assert shared_with(world, image) == []


# -- Rules 42, 45-53 ------------------------------------------------------------------------


def test_rule_042_deprecated_image_cannot_be_shared(world: World) -> None:
    image = world.image(status=m.DEPRECATED)
    err = share_error(world, image.image_id, [DEV])
    assert (err.code, err.http_status) == ("OperationDenied.InvalidImageStatus", 403)
    assert shared_with(world, image) == []


def test_rule_042_only_available_images_are_shared_but_any_can_be_unshared(
        world: World) -> None:
    creating = world.image(pending_start=world.clock.now - 5, pending_end=world.clock.now + 50)
    err = share_error(world, creating.image_id, [DEV])
    assert (err.code, err.http_status) == ("IncorrectImageStatus", 400)
    waiting = world.image(pending_start=world.clock.now + 5, pending_end=world.clock.now + 50)
    assert share_error(world, waiting.image_id, [DEV]).code == "IncorrectImageStatus"
    deprecated = world.image(status=m.DEPRECATED, shares=shares_of([DEV]))
    share(world, deprecated.image_id, removes=[DEV])
    assert shared_with(world, deprecated) == []


@pytest.mark.parametrize("kind", ["public", "marketplace", "shared_to_me", "someone_elses"])
def test_rule_045_only_own_custom_images_can_be_shared(world: World, kind: str) -> None:
    if kind == "public":
        image = world.public_image()
    elif kind == "marketplace":
        image = world.marketplace_image()
    elif kind == "shared_to_me":
        image = world.image(owner=DEV, shares=shares_of([OPS]))
    else:
        image = world.image(owner=DEV)
    before = world.get_image(image.image_id)
    err = share_error(world, image.image_id, [PARTNER])
    assert (err.code, err.http_status) == ("InvalidImageId.NotFound", 404)
    assert world.get_image(image.image_id) == before


def test_rule_045_image_in_another_region_is_not_found(world: World) -> None:
    image = world.image(region="cn-beijing")
    err = share_error(world, image.image_id, [DEV])
    assert (err.code, err.http_status) == ("InvalidImageId.NotFound", 404)
    share(world, image.image_id, [DEV], RegionId="cn-beijing")
    assert shared_with(world, image) == [DEV]


def test_rule_046_only_first_ten_add_and_remove_accounts_count(world: World) -> None:
    image = world.image()
    accounts = list(DIRECTORY_ACCOUNT_IDS[:12])
    share(world, image.image_id, accounts)
    assert shared_with(world, image) == accounts[:10]
    share(world, image.image_id, accounts[10:])
    assert len(shared_with(world, image)) == 12
    share(world, image.image_id, removes=accounts)
    assert shared_with(world, image) == accounts[10:]


def test_rule_046_eleventh_add_account_is_ignored_even_if_bad(world: World) -> None:
    image = world.image()
    adds = [*DIRECTORY_ACCOUNT_IDS[:10], "0000000000000000"]
    share(world, image.image_id, adds)
    assert shared_with(world, image) == list(DIRECTORY_ACCOUNT_IDS[:10])


def test_rule_047_an_image_is_shared_with_at_most_50_accounts(world: World) -> None:
    image = world.image(shares=shares_of(DIRECTORY_ACCOUNT_IDS[:45]))
    err = share_error(world, image.image_id, DIRECTORY_ACCOUNT_IDS[45:51])
    assert (err.code, err.http_status) == ("QuotaExceed.ShareImageUser", 403)
    assert len(shared_with(world, image)) == 45
    share(world, image.image_id, DIRECTORY_ACCOUNT_IDS[45:50])
    assert len(shared_with(world, image)) == 50
    # At the limit one account can be swapped for another in a single call.
    share(world, image.image_id, [DEV], removes=[DIRECTORY_ACCOUNT_IDS[0]])
    assert len(shared_with(world, image)) == 50 and DEV in shared_with(world, image)
    assert share_error(world, image.image_id, [PARTNER]).code == "QuotaExceed.ShareImageUser"


def test_rule_048_sharing_with_yourself_is_forbidden(world: World) -> None:
    image = world.image()
    err = share_error(world, image.image_id, [DEV, OPS])
    assert (err.code, err.http_status) == ("InvalidAccount.Forbbiden", 404)
    assert shared_with(world, image) == []


@pytest.mark.parametrize("account", ["9999999999999999", "12345", "123456789012345a", "",
                                     " 1234 ", "６０００００００００００００００１"])
def test_rule_049_unknown_or_malformed_account_is_not_found(world: World, account: str) -> None:
    image = world.image()
    if not account:
        share(world, image.image_id, [account])  # a blank entry is ignored
        assert shared_with(world, image) == []
        return
    err = share_error(world, image.image_id, [DEV, account])
    assert (err.code, err.http_status) == ("InvalidAccount.NotFound", 404)
    assert shared_with(world, image) == []


def test_rule_050_marketplace_derived_image_stays_on_its_site(world: World) -> None:
    derived = world.image(product_code="cmjj000001")
    err = share_error(world, derived.image_id, [DEV, PARTNER])
    assert (err.code, err.http_status) == ("InvalidImageId.BidMismatch", 403)
    assert share_error(world, derived.image_id, [JAPAN_ACCOUNT]).code == (
        "InvalidImageId.BidMismatch")
    assert shared_with(world, derived) == []
    share(world, derived.image_id, [DEV])
    assert shared_with(world, derived) == [DEV]
    plain = world.image()
    share(world, plain.image_id, [PARTNER, JAPAN_ACCOUNT])
    assert shared_with(world, plain) == [PARTNER, JAPAN_ACCOUNT]


def test_rule_051_service_key_encrypted_image_cannot_be_shared(world: World) -> None:
    service_key = world.image(encrypted=True, key_kind="service")
    err = share_error(world, service_key.image_id, [DEV])
    assert (err.code, err.http_status) == (
        "InvalidOperation.ServiceKeyEncryptedImageUnsupported", 403)
    assert shared_with(world, service_key) == []
    unknown_key = world.image(encrypted=True)
    assert share_error(world, unknown_key.image_id, [DEV]).code == (
        "InvalidOperation.ServiceKeyEncryptedImageUnsupported")
    cmk = world.image(encrypted=True, key_kind="cmk")
    share(world, cmk.image_id, [DEV])
    assert shared_with(world, cmk) == [DEV]


def test_rule_052_an_account_receives_at_most_100_shared_images(world: World) -> None:
    template = world.image(shares=shares_of([DEV]))
    regions = ["cn-hangzhou", "cn-beijing", "cn-shanghai", "ap-southeast-1"]
    with world.repo.transaction() as tx:
        for n in range(99):
            tx.put(tables.IMAGES, dataclasses.replace(
                template, image_id=f"m-recv{n:016d}", region_id=regions[n % 4],
                image_name=f"recv-{n}"))
    extra = world.image()
    err = share_error(world, extra.image_id, [PARTNER, DEV])
    assert (err.code, err.http_status) == ("QuotaExceed.ShareImage", 403)
    assert shared_with(world, extra) == []
    share(world, template.image_id, removes=[DEV])
    share(world, extra.image_id, [PARTNER, DEV])
    assert shared_with(world, extra) == [PARTNER, DEV]


def test_rule_053_after_unsharing_the_recipient_no_longer_sees_the_image(world: World) -> None:
    image = world.image()
    share(world, image.image_id, [DEV])
    others = world.call("DescribeImages", RegionId=HZ, ImageOwnerAlias="others", profile="dev")
    assert [i["ImageId"] for i in others["Images"]["Image"]] == [image.image_id]
    share(world, image.image_id, removes=[DEV])
    assert not visible_to_dev(world, image)
    after = world.call("DescribeImages", RegionId=HZ, ImageOwnerAlias="others", profile="dev")
    assert after["TotalCount"] == 0
    assert world.error("DescribeImageSupportInstanceTypes", RegionId=HZ,
                       ImageId=image.image_id, profile="dev").code == "InvalidImageId.NotFound"


# -- Community images, Rules 56-60 ----------------------------------------------------------


def test_publish_makes_a_community_image_for_every_account(world: World) -> None:
    image = world.image()
    share(world, image.image_id, IsPublic=True)
    stored = world.get_image(image.image_id)
    assert stored is not None and stored.is_public
    body = world.call("DescribeImages", RegionId=HZ, ImageOwnerAlias="others", IsPublic=True,
                      profile="partner")
    assert [i["ImageId"] for i in body["Images"]["Image"]] == [image.image_id]
    permission = world.call("DescribeImageSharePermission", ImageId=image.image_id)
    assert permission["ShareGroups"] == {"ShareGroup": [{"Group": "all"}]}


def test_rule_056_encrypted_image_cannot_be_published(world: World) -> None:
    image = world.image(encrypted=True, key_kind="cmk")
    err = share_error(world, image.image_id, IsPublic=True)
    assert (err.code, err.http_status) == ("InvalidParameter.Encrypted", 403)
    stored = world.get_image(image.image_id)
    assert stored is not None and not stored.is_public


def test_rule_057_publishing_needs_the_signed_agreement(world: World) -> None:
    image = world.image(owner=DEV, region="cn-shanghai")
    err = share_error(world, image.image_id, IsPublic=True, profile="dev")
    assert (err.code, err.http_status) == ("PublicImageAgreement.NotSigned", 403)
    stored = world.get_image(image.image_id, "cn-shanghai")
    assert stored is not None and not stored.is_public


def test_rule_058_publishing_a_public_image_again_fails(world: World) -> None:
    image = world.image(is_public=True)
    err = share_error(world, image.image_id, IsPublic=True)
    assert (err.code, err.http_status) == ("Image.Public", 403)


def test_rule_059_unpublishing_needs_a_community_image(world: World) -> None:
    image = world.image()
    err = share_error(world, image.image_id, IsPublic=False)
    assert (err.code, err.http_status) == ("Image.NotPublic", 403)
    community = world.image(is_public=True, shares=shares_of([DEV]))
    share(world, community.image_id, IsPublic=False)
    stored = world.get_image(community.image_id)
    assert stored is not None and not stored.is_public
    # Explicitly shared accounts keep access; everyone else loses it.
    assert visible_to_dev(world, community)
    body = world.call("DescribeImages", RegionId=HZ, ImageOwnerAlias="others", IsPublic=True,
                      profile="partner")
    assert body["TotalCount"] == 0


def test_rule_060_community_image_cannot_be_shared_with_accounts(world: World) -> None:
    community = world.image(is_public=True)
    err = share_error(world, community.image_id, [DEV])
    assert (err.code, err.http_status) == ("OperationDenied.CommunityImage", 403)
    assert shared_with(world, community) == []
    plain = world.image()
    err = share_error(world, plain.image_id, [DEV], IsPublic=True)
    assert (err.code, err.http_status) == ("OperationDenied.CommunityImage", 403)
    stored = world.get_image(plain.image_id)
    assert stored is not None and not stored.is_public and not stored.shares


def test_publishing_a_deprecated_or_creating_image_fails(world: World) -> None:
    deprecated = world.image(status=m.DEPRECATED)
    err = share_error(world, deprecated.image_id, IsPublic=True)
    assert (err.code, err.http_status) == ("OperationDenied.InvalidImageStatus", 403)
    creating = world.image(pending_start=world.clock.now, pending_end=world.clock.now + 60)
    assert share_error(world, creating.image_id, IsPublic=True).code == "IncorrectImageStatus"


def test_share_failure_is_recorded_as_an_event(world: World) -> None:
    image = world.image()
    share_error(world, image.image_id, [OPS])
    share(world, image.image_id, [DEV])
    with world.repo.read() as view:
        codes = sorted(e.code for e in view.all(tables.EVENTS)
                       if e.action == "ModifyImageSharePermission")
    assert codes == ["InvalidAccount.Forbbiden", "Success"]
