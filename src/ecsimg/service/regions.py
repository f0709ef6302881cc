"""DescribeRegions."""

from __future__ import annotations

from ecsimg.service.context import Context
from ecsimg.service.params import Param, Request
from ecsimg.service.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction


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
                    "RegionEndpoint": r.endpoint,
                    "Status": "available",
                }
                for r in regions
            ]
        }
    }
