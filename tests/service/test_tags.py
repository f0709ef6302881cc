from __future__ import annotations

from ecsimg.domain import models as m
from tests.world import DEV, World

ON_IMAGES = {"RegionId": "cn-hangzhou", "ResourceType": "image"}


def _tags(world: World, image_id: str) -> dict[str, str]:
    image = world.get_image(image_id)
    assert image is not None
    return {t.key: t.value for t in image.tags}


def test_tag_resources_adds_and_changes_tags(world: World) -> None:
    image = world.image(tags=(m.Tag("env", "dev"), m.Tag("team", "web")))
    body = world.call(
        "TagResources",
        {
            **ON_IMAGES,
            "ResourceId.1": image.image_id,
            "Tag.1.Key": "env",
            "Tag.1.Value": "prod",
            "Tag.2.Key": "owner",
            "Tag.2.Value": "ops",
        },
    )
    assert set(body) == {"RequestId"}
    assert _tags(world, image.image_id) == {"env": "prod", "team": "web", "owner": "ops"}


def test_tag_resources_tags_several_images_in_one_call(world: World) -> None:
    first, second = world.image(), world.image()
    world.call(
        "TagResources",
        {
            **ON_IMAGES,
            "ResourceId.1": first.image_id,
            "ResourceId.2": second.image_id,
            "Tag.1.Key": "batch",
            "Tag.1.Value": "",
        },
    )
    assert _tags(world, first.image_id) == {"batch": ""}
    assert _tags(world, second.image_id) == {"batch": ""}


def test_tag_resources_refuses_other_accounts_and_public_images(world: World) -> None:
    mine = world.image()
    theirs = world.image(owner=DEV)
    public = world.public_image()
    for other in (theirs.image_id, public.image_id, "m-doesnotexist000000"):
        err = world.error(
            "TagResources",
            {
                **ON_IMAGES,
                "ResourceId.1": mine.image_id,
                "ResourceId.2": other,
                "Tag.1.Key": "env",
                "Tag.1.Value": "prod",
            },
        )
        assert (err.code, err.http_status) == ("InvalidResourceId.NotFound", 404)
    # Nothing was written, not even on the image that was the caller's own.
    assert _tags(world, mine.image_id) == {}


def test_tag_resources_needs_the_lower_case_image_type(world: World) -> None:
    image = world.image()
    err = world.error(
        "TagResources",
        {**ON_IMAGES, "ResourceType": "instance", "ResourceId.1": image.image_id, "Tag.1.Key": "k"},
    )
    assert (err.code, err.http_status) == ("InvalidResourceType.NotFound", 404)
    err = world.error("TagResources", {**ON_IMAGES, "Tag.1.Key": "k"})
    assert (err.code, err.http_status) == ("MissingParameter", 400)
    assert _tags(world, image.image_id) == {}


def test_rule_033_tag_key_with_reserved_prefix_is_malformed(world: World) -> None:
    image = world.image()
    for key in ("aliyun-owner", "acs:team", "", "see http://x", "k" * 129):
        err = world.error(
            "TagResources",
            {**ON_IMAGES, "ResourceId.1": image.image_id, "Tag.1.Key": key, "Tag.1.Value": "v"},
        )
        assert (err.code, err.http_status) == ("InvalidTagKey.Malformed", 400), key
    err = world.error(
        "TagResources",
        {
            **ON_IMAGES,
            "ResourceId.1": image.image_id,
            "Tag.1.Key": "ok",
            "Tag.1.Value": "acs:reserved",
        },
    )
    assert (err.code, err.http_status) == ("InvalidTagValue.Malformed", 400)
    assert _tags(world, image.image_id) == {}


def test_rule_034_duplicate_tag_keys_in_one_call(world: World) -> None:
    image = world.image()
    err = world.error(
        "TagResources",
        {
            **ON_IMAGES,
            "ResourceId.1": image.image_id,
            "Tag.1.Key": "env",
            "Tag.1.Value": "a",
            "Tag.2.Key": "env",
            "Tag.2.Value": "b",
        },
    )
    assert (err.code, err.http_status) == ("Duplicate.TagKey", 400)
    assert _tags(world, image.image_id) == {}


def test_rule_035_an_image_holds_at_most_20_tags(world: World) -> None:
    image = world.image(tags=tuple(m.Tag(f"k{n:02d}", "") for n in range(18)))
    params = {"ResourceId.1": image.image_id}
    for n in range(1, 4):
        params[f"Tag.{n}.Key"] = f"new{n}"
    err = world.error("TagResources", {**ON_IMAGES, **params})
    assert (err.code, err.http_status) == ("QuotaExceed.Tags", 403)
    assert len(_tags(world, image.image_id)) == 18
    # Changing a value of a key it has does not add a tag: 18 + 2 new = 20 is allowed.
    world.call(
        "TagResources",
        {
            **ON_IMAGES,
            "ResourceId.1": image.image_id,
            "Tag.1.Key": "k00",
            "Tag.1.Value": "x",
            "Tag.2.Key": "new1",
            "Tag.3.Key": "new2",
        },
    )
    assert len(_tags(world, image.image_id)) == 20
    many = {f"Tag.{n}.Key": f"t{n}" for n in range(1, 22)}
    err = world.error("TagResources", {**ON_IMAGES, **many, "ResourceId.1": world.image().image_id})
    assert (err.code, err.http_status) == ("InvalidTagCount", 400)


def test_untag_resources_removes_keys_and_ignores_absent_ones(world: World) -> None:
    image = world.image(tags=(m.Tag("env", "dev"), m.Tag("team", "web"), m.Tag("x", "1")))
    world.call(
        "UntagResources",
        {**ON_IMAGES, "ResourceId.1": image.image_id, "TagKey.1": "env", "TagKey.2": "absent"},
    )
    assert _tags(world, image.image_id) == {"team": "web", "x": "1"}


def test_untag_resources_all_removes_every_tag_only_without_keys(world: World) -> None:
    image = world.image(tags=(m.Tag("env", "dev"), m.Tag("team", "web")))
    world.call(
        "UntagResources",
        {**ON_IMAGES, "All": "true", "ResourceId.1": image.image_id, "TagKey.1": "env"},
    )
    assert _tags(world, image.image_id) == {"team": "web"}
    world.call("UntagResources", {**ON_IMAGES, "All": "true", "ResourceId.1": image.image_id})
    assert _tags(world, image.image_id) == {}


def test_untag_resources_needs_keys_or_all_and_an_own_image(world: World) -> None:
    image = world.image(tags=(m.Tag("env", "dev"),))
    err = world.error("UntagResources", {**ON_IMAGES, "ResourceId.1": image.image_id})
    assert (err.code, err.http_status) == ("MissingParameter", 400)
    theirs = world.image(owner=DEV, tags=(m.Tag("env", "dev"),))
    err = world.error(
        "UntagResources", {**ON_IMAGES, "ResourceId.1": theirs.image_id, "TagKey.1": "env"}
    )
    assert (err.code, err.http_status) == ("InvalidResourceId.NotFound", 404)
    assert _tags(world, theirs.image_id) == {"env": "dev"}
    assert _tags(world, image.image_id) == {"env": "dev"}


def test_tagging_is_refused_to_read_only_profiles_and_dry_run_writes_nothing(world: World) -> None:
    image = world.image()
    params = {
        "RegionId": "cn-hangzhou",
        "ResourceType": "image",
        "ResourceId.1": image.image_id,
        "Tag.1.Key": "env",
    }
    err = world.error("TagResources", params, profile="audit")
    assert err.http_status == 403
    err = world.error("TagResources", params, DryRun="true")
    assert err.code == "DryRunOperation"
    assert _tags(world, image.image_id) == {}
