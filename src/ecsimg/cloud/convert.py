"""A sync's DescribeImages pages as catalogue records, through ``ecsimg load``'s own parser."""

from __future__ import annotations

import dataclasses
from typing import Any

from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.errors import BadResponse
from ecsimg.cloud.sync import SyncResult
from ecsimg.domain import models as m
from ecsimg.service.context import Context
from ecsimg.service.load import LoadError, parse_response
from ecsimg.store.repository import View

Parsed = dict[tuple[str, str], list[m.Image]]
"""Images parsed ahead, by (region, listing kind such as ``images:self``)."""


def image_records(result: SyncResult, ctx: Context, tx: View,
                  parsed: Parsed | None = None) -> list[m.Image]:
    """Every image the sync saw, the account's own with the shares their listings gave;
    listings in ``parsed`` are taken from there instead of being parsed again."""
    images: list[m.Image] = []
    for region_id, kinds in result.pages.items():
        for alias in plan.OWNER_ALIASES:
            kind = f"images:{alias}"
            ahead = (parsed or {}).get((region_id, kind))
            if ahead is not None:
                images.extend(ahead)
            else:
                images.extend(parse_listing(region_id, kind, kinds.get(kind, []), ctx, tx))
    return [_with_shares(image, result) for image in images]


def parse_listing(region_id: str, kind: str, pages: list[dict[str, Any]], ctx: Context,
                  view: View) -> list[m.Image]:
    """The images of one DescribeImages listing's pages (BadResponse if one is not one)."""
    images: list[m.Image] = []
    alias = kind.removeprefix("images:")
    for number, body in enumerate(pages, start=1):
        source = f"DescribeImages {region_id} {alias} page {number}"
        try:
            images.extend(parse_response(body, source, ctx, view))  # type: ignore[arg-type]
        except LoadError as err:
            raise BadResponse(str(err)) from None
    return images


def _with_shares(image: m.Image, result: SyncResult) -> m.Image:
    pages = result.pages.get(image.region_id, {}).get(f"shares:{image.image_id}")
    if pages is None or image.owner_kind != "custom" or image.owner_id == "":
        return image
    listing = plan.share_listings(image.region_id, [image.image_id])[0]
    shares = tuple(
        m.SharePermission(str(account.get("AliyunId", "")), str(account.get("SharedTime", "")))
        for body in pages for account in plan.items(listing, body)
        if account.get("AliyunId")
    )
    return dataclasses.replace(image, shares=shares)
