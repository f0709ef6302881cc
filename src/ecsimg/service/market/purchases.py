"""Marketplace purchases: one purchase covers one instance in one region (Rules 105, 114)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ecsimg.domain.clock import iso
from ecsimg.domain.errors import (
    ApiError,
    denied,
    image_not_found,
    invalid,
    not_found,
)
from ecsimg.domain.models import Image, MarketplaceProduct, Purchase
from ecsimg.service.account.regions import known_region
from ecsimg.service.images.visibility import find_visible
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

PURCHASE_ID_PREFIX = "p"


def unused_purchases(
    view: View, account_id: str, product_code: str, region_id: str
) -> list[Purchase]:
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
    if product is not None:
        _check_not_removed(product)
    available = unused_purchases(tx, account_id, image.product_code, image.region_id)
    if not available:
        raise ApiError(
            "QuotaExceed.BuyImage",
            f"The marketplace image {image.image_id} (product {image.product_code}) has no "
            f"unused purchase in {image.region_id}; buy one first (ecsimg market buy).",
            403,
        )
    tx.put(tables.PURCHASES, dataclasses.replace(available[0], used_by_instance_id=instance_id))


def _check_not_removed(product: MarketplaceProduct) -> None:
    if product.removed:
        raise ApiError("ImageRemovedInMarket", "The specified market image has been removed "
                       "from the marketplace.", 403)


def _check_on_sale(product: MarketplaceProduct, region_id: str) -> None:
    """Not removed from the marketplace, and published in ``region_id``."""
    _check_not_removed(product)
    if region_id not in product.regions:
        raise denied("OperationDenied.NotPublished", f"The marketplace product "
                     f"{product.product_code} is not published in {region_id}.")


def product_of(view: View, image: Image) -> MarketplaceProduct | None:
    """The image's marketplace product, refused if unknown or removed from the marketplace."""
    if not image.product_code:
        return None
    product = view.get(tables.PRODUCTS, image.product_code)
    if product is None:
        raise not_found("InvalidMarketImage.NotFound", f"The marketplace product "
                        f"{image.product_code} of image {image.image_id} does not exist.")
    _check_not_removed(product)
    return product


def check_buyable(view: View, image: Image) -> None:
    """The image's product can still be bought in the image's region (a product the catalogue
    does not hold, as in loaded images, is not checked)."""
    if not image.product_code:
        return
    product = view.get(tables.PRODUCTS, image.product_code)
    if product is not None:
        _check_on_sale(product, image.region_id)


def buy_with_instance(ctx: Context, tx: Transaction, image: Image, instance_id: str) -> None:
    """Launching buys one use with the instance, as the console does: an unused purchase in
    the region is used first, else one is bought now, a free product included (Rule 114).
    Call ``check_buyable`` before writing anything."""
    if not image.product_code:
        return
    available = unused_purchases(tx, ctx.account_id, image.product_code, image.region_id)
    if available:
        tx.put(tables.PURCHASES, dataclasses.replace(available[0], used_by_instance_id=instance_id))
        return
    tx.put(tables.PURCHASES, Purchase(
        ctx.ids.resource(PURCHASE_ID_PREFIX), ctx.account_id, image.product_code,
        image.region_id, iso(ctx.now()), used_by_instance_id=instance_id))


# -- ecsimg market buy --------------------------------------------------------------------------

BUY_ACTION = "ecsimg:MarketBuy"
"""``ecsimg market buy`` as an action of the service (ecsimg's own, not an ECS API action)."""
MAX_BUY_AMOUNT = 100


@action(BUY_ACTION, Param("ImageId"), Param("Amount", int), mutating=True)
def buy(ctx: Context, req: Request, tx: Transaction) -> dict[str, Any]:
    """Buy uses of a marketplace image's product in a region (Rule 114).

    One purchase covers one instance, so n launches need n purchases, free products included.
    """
    region_id = req.str("RegionId", ctx.region_id)
    image_id = req.str("ImageId")
    product = _buyable_product(tx, ctx.account_id, image_id, region_id)
    count = _buy_amount(req)
    purchased_time = iso(ctx.now())
    purchase_ids = []
    for _ in range(count):
        purchase = Purchase(ctx.ids.resource(PURCHASE_ID_PREFIX), ctx.account_id,
                            product.product_code, region_id, purchased_time)
        tx.put(tables.PURCHASES, purchase)
        purchase_ids.append(purchase.purchase_id)
    return {"ProductCode": product.product_code, "RegionId": region_id,
            "PurchaseIds": purchase_ids}


def _buy_amount(req: Request) -> int:
    count = req.int_or("Amount", 1)
    if not 1 <= count <= MAX_BUY_AMOUNT:
        raise invalid("Amount", f"{count} is not within 1-{MAX_BUY_AMOUNT}")
    return count


def _buyable_product(view: View, account_id: str, image_id: str,
                     region_id: str) -> MarketplaceProduct:
    """The product behind a marketplace (or marketplace-derived) image the caller sees there."""
    known_region(view, region_id)
    image = find_visible(view, account_id, region_id, image_id)
    if image is None or not image.product_code:
        raise image_not_found(image_id)
    product = product_of(view, image)
    assert product is not None  # the image has a product code
    _check_on_sale(product, region_id)
    return product
