"""Which calls fill an account's cache, and how each listing pages to its end: pure, no I/O.

A sync lists the regions, then in each region the images of every owner (self, others,
system, marketplace), instances, disks and snapshots, then the share permissions of each of
the account's own images; instance types are listed once, for the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ecsimg.cloud.errors import BadResponse

PAGE_SIZE = 100
"""The largest page DescribeImages and the other paged listings accept."""
MAX_PAGES = 10_000
"""A listing longer than this is a server looping, not a catalogue (a million images)."""
OWNER_ALIASES = ("self", "others", "system", "marketplace")
ALL_IMAGE_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"
"""DescribeImages lists only Available images unless told otherwise; a cache wants them all."""
Paging = Literal["page", "token", "none"]


@dataclass(frozen=True)
class Listing:
    """One listing to read to its end: an action with fixed parameters, and how it pages."""

    kind: str
    """What it lists: ``images:self``, ``instances``, ``shares:m-xxx``, ``instance_types``."""
    action: str
    params: tuple[tuple[str, str], ...]
    region_id: str
    """The region it lists, or empty for the account-wide lists."""
    paging: Paging
    items_at: tuple[str, str]
    """Where the response holds the items: ``("Images", "Image")``."""

    def first_page(self) -> dict[str, str]:
        sent = dict(self.params)
        if self.paging == "page":
            sent.update(PageNumber="1", PageSize=str(PAGE_SIZE))
        return sent

    def next_page(self, sent: dict[str, str], body: dict[str, Any]) -> dict[str, str] | None:
        """The parameters of the page after ``body``, or None when it was the last."""
        if self.paging == "page":
            number = int(sent["PageNumber"])
            total = total_count(self, body)
            if not items(self, body) or number * PAGE_SIZE >= total:
                return None
            following = number + 1
            if following > MAX_PAGES:
                raise BadResponse(f"{self.action} in {self.region_id or 'the account'} went "
                                  f"past {MAX_PAGES} pages")
            return {**sent, "PageNumber": str(following)}
        if self.paging == "token":
            token = body.get("NextToken") or ""
            if not isinstance(token, str) or not token:
                return None
            if token == sent.get("NextToken"):
                raise BadResponse(f"{self.action} returned the same NextToken twice")
            return {**sent, "NextToken": token}
        return None


def items(listing: Listing, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of one page (``Images.Image``), checked to be a list of objects."""
    outer, inner = listing.items_at
    wrapper = body.get(outer) or {}
    found = wrapper.get(inner, []) if isinstance(wrapper, dict) else None
    if not isinstance(found, list) or not all(isinstance(i, dict) for i in found):
        raise BadResponse(f"{listing.action}: {outer}.{inner} is not a list of objects")
    return found


def total_count(listing: Listing, body: dict[str, Any]) -> int:
    """The TotalCount of a numbered page, checked."""
    value = body.get("TotalCount")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise BadResponse(f"{listing.action}: TotalCount is not a whole number")


def regions_listing() -> Listing:
    """DescribeRegions, sent to the home region: the regions the account can use."""
    return Listing("regions", "DescribeRegions", (), "", "none", ("Regions", "Region"))


def region_ids(body: dict[str, Any]) -> list[str]:
    """The RegionIds of a DescribeRegions response, in its order."""
    listed = items(regions_listing(), body)
    return [r["RegionId"] for r in listed if isinstance(r.get("RegionId"), str) and r["RegionId"]]


def region_listings(region_id: str) -> list[Listing]:
    """The listings of one region that need nothing else: images by owner, instances, disks..."""
    region = (("RegionId", region_id),)
    images = [
        Listing(f"images:{alias}", "DescribeImages",
                (*region, ("ImageOwnerAlias", alias), ("Status", ALL_IMAGE_STATUSES),
                 ("ShowExpired", "true")),
                region_id, "page", ("Images", "Image"))
        for alias in OWNER_ALIASES
    ]
    return [
        *images,
        Listing("instances", "DescribeInstances", region, region_id, "page",
                ("Instances", "Instance")),
        Listing("disks", "DescribeDisks", region, region_id, "page", ("Disks", "Disk")),
        Listing("snapshots", "DescribeSnapshots", region, region_id, "page",
                ("Snapshots", "Snapshot")),
    ]


def share_listings(region_id: str, own_image_ids: list[str]) -> list[Listing]:
    """DescribeImageSharePermission for each of the account's own images in a region."""
    return [
        Listing(f"shares:{image_id}", "DescribeImageSharePermission",
                (("RegionId", region_id), ("ImageId", image_id)), region_id, "page",
                ("Accounts", "Account"))
        for image_id in own_image_ids
    ]


def account_listings() -> list[Listing]:
    """The account-wide listings: instance types (DescribeInstanceTypes takes no RegionId)."""
    return [Listing("instance_types", "DescribeInstanceTypes", (), "", "token",
                    ("InstanceTypes", "InstanceType"))]


def own_image_ids(pages: list[dict[str, Any]]) -> list[str]:
    """The ImageIds of the ``images:self`` pages."""
    listing = region_listings("")[0]
    return [i["ImageId"] for body in pages for i in items(listing, body)
            if isinstance(i.get("ImageId"), str)]


def shared_image_ids(pages: list[dict[str, Any]]) -> list[str]:
    """The own images that ``IsSelfShared`` says are shared: the ones whose share permissions
    are worth a call (an account of 10,000 images, few shared, is not 10,000 more calls)."""
    listing = region_listings("")[0]
    return [i["ImageId"] for body in pages for i in items(listing, body)
            if isinstance(i.get("ImageId"), str)
            and str(i.get("IsSelfShared", "true")).lower() == "true"]
