"""Images as DescribeImages returns them, by key: what the list's export writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecsimg.service.images.visibility import alias_of, image_to_api, used_image_ids
from ecsimg.service.machinery.context import Context
from ecsimg.store import tables


def image_records(ctx: Context, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The images at ``keys`` that the caller can see, serialised as DescribeImages does."""
    now = ctx.now()
    records = []
    with ctx.repo.read() as view:
        used: dict[str, set[str]] = {}
        for key in keys:
            image = view.get(tables.IMAGES, key)
            if image is None or alias_of(image, ctx.account_id) is None:
                continue
            region_used = used.get(image.region_id)
            if region_used is None:
                region_used = used[image.region_id] = used_image_ids(view, image.region_id)
            records.append(image_to_api(image, ctx.account_id, now,
                                        image.image_id in region_used))
    return records
