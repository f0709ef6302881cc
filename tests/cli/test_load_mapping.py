"""The field mapping behind ``ecsimg load`` (service/images/load.py), on a small catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg import service
from ecsimg.domain.errors import ApiError
from ecsimg.service.images.load import LOAD_ACTION, LoadError, load_params
from ecsimg.store import tables
from tests.world import DEV, OPS, World

IMAGE_ID = "m-load0000000000000001"


def load_images(ctx: service.Context, documents: list[tuple[str, Any]]) -> dict[str, Any]:
    """A load of parsed files as ``ecsimg load`` makes it, through the service's door."""
    return service.call(ctx, LOAD_ACTION, load_params(documents), documents)


def _response(**fields: Any) -> dict[str, Any]:
    image = {
        "ImageId": IMAGE_ID, "ImageName": "web-基础镜像", "ImageOwnerAlias": "self",
        "ImageOwnerId": int(OPS), "OSType": "linux", "Architecture": "x86_64", "Size": 40,
        "Platform": "Aliyun", "OSName": "Alibaba Cloud Linux 3", "Status": "Available",
        "CreationTime": "2025-03-01T08:00:00Z", "ImageFamily": "web",
        "Tags": {"Tag": [{"TagKey": "env", "TagValue": "prod"}]},
        "DiskDeviceMappings": {"DiskDeviceMapping": [
            {"Device": "/dev/xvda", "Type": "system", "Size": "40", "SnapshotId": "s-1"},
            {"Device": "/dev/xvdb", "Type": "data", "Size": "100", "Encrypted": True},
        ]},
    }
    image.update(fields)
    return {"RegionId": "cn-hangzhou", "Images": {"Image": [image]}, "TotalCount": 1}


def test_self_image_becomes_a_custom_image_of_the_caller(world: World) -> None:
    result = load_images(world.ctx("dev"), [("f.json", _response())])
    assert (result["Added"], result["Updated"], result["Files"]) == (1, 0, 1)
    image = world.get_image(IMAGE_ID)
    assert image is not None
    assert (image.owner_kind, image.owner_id) == ("custom", DEV)
    assert image.image_name == "web-基础镜像" and image.image_family == "web"
    assert [(t.key, t.value) for t in image.tags] == [("env", "prod")]
    assert [(d.disk_type, d.size) for d in image.disk_mappings] == [("system", 40), ("data", 100)]
    assert image.encrypted and image.key_kind == "service"
    assert image.creation_time == "2025-03-01T08:00:00Z"


FOREIGN = "1999999999999999"
"""An account the catalogue does not hold."""


@pytest.mark.parametrize(("alias", "owner_kind", "owner_id"), [
    ("system", "system", ""), ("marketplace", "marketplace", ""), ("others", "custom", FOREIGN),
])
def test_owner_alias_maps_to_owner_kind(world: World, alias: str, owner_kind: str,
                                        owner_id: str) -> None:
    image_id = "aliyun_3_x64_20G_alibase_20250101.vhd" if alias == "system" else IMAGE_ID
    load_images(world.ctx("dev"), [("f.json", _response(ImageOwnerAlias=alias, ImageId=image_id,
                                                         ImageOwnerId=int(FOREIGN)))])
    image = world.get_image(image_id)
    assert image is not None
    assert (image.owner_kind, image.owner_id) == (owner_kind, owner_id)
    if alias == "others":
        # Shared with the caller, so the caller still sees it after loading.
        assert [s.account_id for s in image.shares] == [DEV]
        body = world.call("DescribeImages", profile="dev", ImageOwnerAlias="others",
                          RegionId="cn-hangzhou")
        assert IMAGE_ID in {i["ImageId"] for i in body["Images"]["Image"]}


def test_creating_image_gets_a_task_window_from_now(world: World) -> None:
    load_images(world.ctx(), [("f.json", _response(Status="Creating"))])
    image = world.get_image(IMAGE_ID)
    assert image is not None
    assert image.pending_start == world.clock.now
    assert image.pending_end == world.clock.now + 40 * world.pace


def test_loading_never_takes_over_another_accounts_image(world: World) -> None:
    world.image(image_id=IMAGE_ID, owner=OPS)
    before = world.get_image(IMAGE_ID)
    with pytest.raises(LoadError, match="already in the catalogue with another owner"):
        load_images(world.ctx("dev"), [("f.json", _response())])
    assert world.get_image(IMAGE_ID) == before


@pytest.mark.parametrize("shared", [False, True])
def test_a_file_cannot_claim_another_local_accounts_image(world: World, shared: bool) -> None:
    """dev's image listed by default's file as shared with default (or as default's own):
    refused whether or not it is shared, dev's record unchanged, no share granted."""
    world.image(image_id=IMAGE_ID, owner=DEV)
    if shared:
        world.call("ModifyImageSharePermission", {"ImageId": IMAGE_ID, "AddAccount.1": OPS,
                                                  "RegionId": "cn-hangzhou"}, profile="dev")
    before = world.get_image(IMAGE_ID)
    for claim in ({"ImageOwnerAlias": "others", "ImageOwnerId": int(DEV)},
                  {"ImageOwnerAlias": "self"}):
        with pytest.raises(LoadError, match="nothing was loaded"):
            load_images(world.ctx(), [("f.json", _response(Status="Available", Size=999,
                                                           **claim))])
        assert world.get_image(IMAGE_ID) == before


def test_a_file_cannot_create_an_image_in_another_local_account(world: World) -> None:
    with pytest.raises(LoadError, match="an account of this catalogue"):
        load_images(world.ctx(), [("f.json", _response(ImageOwnerAlias="others",
                                                       ImageOwnerId=int(DEV)))])
    assert world.get_image(IMAGE_ID) is None


def test_public_and_visible_shared_images_here_are_kept_as_they_are(world: World) -> None:
    public = world.public_image()
    body = _response(ImageOwnerAlias="system", ImageId=public.image_id, ImageName="evil",
                     ImageOwnerId=None)
    result = load_images(world.ctx("dev"), [("f.json", body)])
    assert (result["Added"], result["Updated"]) == (0, 0)
    assert world.get_image(public.image_id) == public
    load_images(world.ctx("dev"), [("f.json", _response(ImageOwnerAlias="others",
                                                         ImageOwnerId=int(FOREIGN)))])
    mirrored = world.get_image(IMAGE_ID)
    with pytest.raises(LoadError, match="nothing was loaded"):  # default cannot see it
        load_images(world.ctx(), [("f.json", _response(ImageOwnerAlias="others",
                                                       ImageOwnerId=int(FOREIGN)))])
    assert world.get_image(IMAGE_ID) == mirrored


def test_reloading_keeps_the_shares_the_catalogue_knows(world: World) -> None:
    plain_disk = {"DiskDeviceMapping": [{"Device": "/dev/xvda", "Size": "40"}]}
    load_images(world.ctx(), [("f.json", _response(DiskDeviceMappings=plain_disk))])
    world.call("ModifyImageSharePermission", {"ImageId": IMAGE_ID, "AddAccount.1": DEV})
    result = load_images(world.ctx(), [("f.json", _response(Description="new",
                                                             DiskDeviceMappings=plain_disk))])
    assert (result["Added"], result["Updated"]) == (0, 1)
    image = world.get_image(IMAGE_ID)
    assert image is not None and image.description == "new"
    assert [s.account_id for s in image.shares] == [DEV]


def test_a_load_records_one_event(world: World) -> None:
    load_images(world.ctx(), [("a.json", _response()), ("b.json", _response(Size=50))])
    with world.repo.read() as view:
        events = [e for e in view.all(tables.EVENTS) if e.action == LOAD_ACTION]
    assert len(events) == 1
    params = events[0].params
    assert (params["Files"], params["Added"], params["Updated"]) == ("a.json, b.json", "1", "0")


def test_read_only_profile_cannot_load(world: World) -> None:
    with pytest.raises(ApiError) as caught:
        load_images(world.ctx("audit"), [("f.json", _response())])
    assert (caught.value.code, caught.value.http_status) == ("Forbidden.ReadOnly", 403)
    assert world.get_image(IMAGE_ID) is None


@pytest.mark.parametrize(("fields", "says"), [
    ({"ImageOwnerAlias": "others", "ImageOwnerId": 12}, "16-digit"),
    ({"ImageId": "ubuntu_22_04.vhd"}, "look like m-"),
    ({"Size": True}, "is a boolean"),
    ({"OSType": "plan9"}, "'OSType'"),
    ({"DiskDeviceMappings": {"DiskDeviceMapping": [{"Type": "floppy"}]}}, "'Type'"),
    ({"DiskDeviceMappings": []}, "not an object"),
])
def test_untrusted_fields_are_checked(world: World, fields: dict[str, Any], says: str) -> None:
    with pytest.raises(LoadError, match=says) as caught:
        load_images(world.ctx(), [("f.json", _response(**fields))])
    assert str(caught.value).startswith("f.json: Images.Image[0]")
    assert world.get_image(IMAGE_ID) is None
