"""TagResources and UntagResources for images: add, change and remove tags after creation."""

from __future__ import annotations

import dataclasses

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError, denied, invalid, missing, not_found
from ecsimg.domain.validation import MAX_TAGS, check_tags
from ecsimg.service.account.regions import check_region
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

RESOURCE_TYPES = ("image",)
"""The API takes ResourceType in lower case; only images live in this catalogue."""
MAX_RESOURCES = 50
"""ResourceId.N: N = 1-50."""
MAX_TAG_KEY_LENGTH = 128


def _resource_type(req: Request) -> str:
    resource_type = req.required("ResourceType")
    if resource_type not in RESOURCE_TYPES:
        raise not_found("InvalidResourceType.NotFound",
                        f"The specified ResourceType '{resource_type}' is not supported.")
    return resource_type


def _resource_ids(req: Request) -> list[str]:
    resource_ids = list(dict.fromkeys(v.strip() for _, v in req.indexed("ResourceId") if v.strip()))
    if not resource_ids:
        raise missing("ResourceId.N")
    if len(resource_ids) > MAX_RESOURCES:
        raise invalid("ResourceId.N", f"at most {MAX_RESOURCES} resources per call")
    return resource_ids


def _own_images(view: View, account_id: str, region_id: str,
                resource_ids: list[str]) -> list[m.Image]:
    """The caller's own custom images; any other ID is not found, as the real API answers."""
    images = []
    for image_id in resource_ids:
        image = view.get(tables.IMAGES, f"{region_id}/{image_id}")
        if image is None or image.owner_kind != "custom" or image.owner_id != account_id:
            raise not_found("InvalidResourceId.NotFound",
                            f"The specified ResourceId '{image_id}' does not exist.")
        images.append(image)
    return images


@action(
    "TagResources",
    Param("ResourceType", required=True), Param("ResourceId.N"),
    Param("Tag.N.Key"), Param("Tag.N.Value"),
    mutating=True,
)
def tag_resources(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Add tags to custom images, or change the value of a key they already have."""
    region_id = check_region(tx, req)
    _resource_type(req)
    resource_ids = _resource_ids(req)
    pairs = [(fields.get("Key", ""), fields.get("Value", "")) for _, fields in req.records("Tag")]
    if not pairs:
        raise missing("Tag.N.Key")
    new_tags = check_tags(pairs)
    images = _own_images(tx, ctx.account_id, region_id, resource_ids)
    updated = []
    for image in images:
        merged = {tag.key: tag.value for tag in image.tags}
        merged.update((tag.key, tag.value) for tag in new_tags)
        if len(merged) > MAX_TAGS:
            raise denied("QuotaExceed.Tags",
                         f"The image {image.image_id} would have {len(merged)} tags; an image "
                         f"holds at most {MAX_TAGS}.")
        tags = tuple(m.Tag(key, value) for key, value in merged.items())
        updated.append(dataclasses.replace(image, tags=tags))
    for image in updated:  # every image was checked before the first write
        tx.put(tables.IMAGES, image)
    return {}


@action(
    "UntagResources",
    Param("ResourceType", required=True), Param("ResourceId.N"), Param("TagKey.N"),
    Param("All", bool),
    mutating=True,
)
def untag_resources(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Remove tags from custom images by key; All removes every tag when no key is given."""
    region_id = check_region(tx, req)
    _resource_type(req)
    resource_ids = _resource_ids(req)
    keys = [key for _, key in req.indexed("TagKey")]
    if len(keys) > MAX_TAGS:
        raise ApiError("InvalidTagCount", f"The number of tags must not exceed {MAX_TAGS}.")
    for key in keys:
        if not key or len(key) > MAX_TAG_KEY_LENGTH:
            raise ApiError("InvalidTagKey.Malformed",
                           f"The specified tag key {key!r} is malformed.")
    remove_all = req.bool("All")
    if not keys and not remove_all:
        raise missing("TagKey.N")
    images = _own_images(tx, ctx.account_id, region_id, resource_ids)
    removing = set(keys)
    for image in images:
        # All only takes effect when no TagKey.N is given, as in the real API.
        kept = () if not keys else tuple(t for t in image.tags if t.key not in removing)
        if kept != image.tags:
            tx.put(tables.IMAGES, dataclasses.replace(image, tags=kept))
    return {}
