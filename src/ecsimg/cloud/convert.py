"""A sync's DescribeImages pages as catalogue records, through ``ecsimg load``'s own parser."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.errors import BadResponse
from ecsimg.cloud.sync import SyncResult
from ecsimg.domain import models as m
from ecsimg.service.images.load import LoadError, parse_response
from ecsimg.service.machinery.context import Context
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
            parsed = parse_response(body, source, ctx, view)  # type: ignore[arg-type]
        except LoadError as err:
            raise BadResponse(str(err)) from None
        progress = pending_progress(body)
        if progress:
            now = time.time()
            parsed = [with_progress(i, progress[i.image_id], now) if i.image_id in progress
                      else i for i in parsed]
        images.extend(parsed)
    return images


TASK_HORIZON_SECONDS = 3600.0
"""How long a task the API says is under way is drawn to take: its end is not known, so the
progress the API gives is drawn on that scale until the next answer says more."""
PENDING_STATUSES = ("Creating", "Waiting")


def pending_progress(body: dict[str, Any]) -> dict[str, int]:
    """ImageId to the progress percent of each image a DescribeImages answer says is still
    being made."""
    found: dict[str, int] = {}
    images = (body.get("Images") or {}).get("Image") or []
    for item in images if isinstance(images, list) else []:
        if isinstance(item, dict) and item.get("Status") in PENDING_STATUSES:
            text = str(item.get("Progress") or "0").rstrip("%")
            found[str(item.get("ImageId"))] = int(text) if text.isdigit() else 0
    return found


def with_progress(image: m.Image, percent: int, now: float) -> m.Image:
    """The image as still being made, ``percent`` done now (the load parser's own window
    assumes the demo's pace)."""
    done = min(max(percent, 0), 99) / 100
    end = now + TASK_HORIZON_SECONDS * (1 - done)
    return dataclasses.replace(image, pending_start=end - TASK_HORIZON_SECONDS, pending_end=end)


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
