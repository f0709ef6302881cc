"""Marketplace purchases: one purchase covers one instance in one region (Rules 105, 114)."""

from __future__ import annotations

import dataclasses

from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Image, Purchase
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View


def unused_purchases(view: View, account_id: str, product_code: str, region_id: str) -> list[Purchase]:
    return [
        p for p in view.all(tables.PURCHASES)
        if p.account_id == account_id and p.product_code == product_code
        and p.region_id == region_id and not p.used_by_instance_id
    ]


def consume_purchase(tx: Transaction, account_id: str, image: Image, instance_id: str) -> None:
    """Use one unused purchase of the image's product for ``instance_id``, or refuse with
    QuotaExceed.BuyImage; images without a ProductCode need none."""
    if not image.product_code:
        return
    product = tx.get(tables.PRODUCTS, image.product_code)
    if product is not None and product.removed:
        raise ApiError("ImageRemovedInMarket", "The specified market image has been removed "
                       "from the marketplace.", 403)
    available = unused_purchases(tx, account_id, image.product_code, image.region_id)
    if not available:
        raise ApiError(
            "QuotaExceed.BuyImage",
            f"The marketplace image {image.image_id} (product {image.product_code}) has no "
            f"unused purchase in {image.region_id}; buy one first (ecsimg market buy).",
            403,
        )
    tx.put(tables.PURCHASES, dataclasses.replace(available[0], used_by_instance_id=instance_id))
