"""DescribeRegions."""

from __future__ import annotations

from ecsimg.domain.errors import region_not_found
from ecsimg.domain.regions import endpoint
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View


def known_region(view: View, region_id: str) -> str:
    """``region_id`` if the catalogue knows it, else InvalidRegionId.NotFound."""
    if view.get(tables.REGIONS, region_id) is None:
        raise region_not_found(region_id)
    return region_id


def check_region(view: View, req: Request) -> str:
    """The request's RegionId, which must name a known region."""
    return known_region(view, req.required("RegionId"))


@action("DescribeRegions", Param("AcceptLanguage"), Param("InstanceChargeType"),
        Param("ResourceType"))
def describe_regions(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the regions, with their local names and endpoints."""
    english = req.str("AcceptLanguage").lower().startswith("en")
    regions = sorted(tx.all(tables.REGIONS), key=lambda r: r.region_id)
    return {
        "Regions": {
            "Region": [
                {
                    "RegionId": r.region_id,
                    "LocalName": r.region_id if english else r.local_name,
                    # Computed, so that catalogues made before the SDK's map was followed agree.
                    "RegionEndpoint": endpoint(r.region_id),
                    "Status": "available",
                }
                for r in regions
            ]
        }
    }
