"""The cost dashboard's read model: the caller's custom images in every region, priced."""

from __future__ import annotations

from ecsimg.domain import costs, fees
from ecsimg.service.machinery.context import Context
from ecsimg.service.market.price import price_book
from ecsimg.store import tables


def cost_report(ctx: Context) -> costs.CostReport:
    """What the caller's custom images cost to hold, as ``price.holding_costs`` counts it."""
    with ctx.repo.read() as view:
        mine = [image for image in view.all(tables.IMAGES)
                if image.owner_kind == "custom" and image.owner_id == ctx.account_id]
        book = price_book(view)
    wanted = {d.snapshot_id for image in mine for d in image.disk_mappings if d.snapshot_id}
    # Sizes alone, as holding_costs reads them: whole Snapshot records would cost memory.
    sizes = ctx.repo.field_values(tables.SNAPSHOTS, "size", wanted)
    snapshots = {sid: fees.SnapshotSize(size) for sid, size in sizes.items() if size is not None}
    return costs.cost_report(mine, snapshots, book, ctx.account_id, ctx.now())
