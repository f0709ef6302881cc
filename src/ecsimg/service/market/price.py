"""DescribePrice, and the fee preview and holding costs the console shows (Rules 108-113)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecsimg.domain import fees
from ecsimg.domain.errors import ApiError, invalid, missing, not_found
from ecsimg.domain.fees import FeePreview, FeeProblem, Usage
from ecsimg.domain.models import Image, InstanceType, PriceBook
from ecsimg.service.account.regions import known_region
from ecsimg.service.images.visibility import get_visible
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.service.market.purchases import product_of
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

# Hours one Period of each PriceUnit buys, and the Periods it allows.
UNIT_HOURS = {"Hour": 1, "Week": 168, "Month": fees.HOURS_PER_MONTH,
              "Year": 12 * fees.HOURS_PER_MONTH}
UNIT_PERIODS = {"Hour": range(1, 2), "Week": range(1, 5), "Month": range(1, 10),
                "Year": range(1, 4)}
YEAR_DISCOUNT = 0.15
YEAR_RULE_ID = 1000001
YEAR_RULE = "买满1年，立享官网价格8.5折优惠"
DEFAULT_DISK_CATEGORY = "cloud_efficiency"
SYSTEM_DISK_MIN, SYSTEM_DISK_MAX = 20, 500
DATA_DISK_MIN, DATA_DISK_MAX = 20, 32768
MAX_DATA_DISKS = 4
"""DescribePrice prices at most four data disks with an instance."""
LINUX_IMAGE_SIZE = 20
"""Without ImageId the price is a Linux image's, whose system disk is 20 GiB."""
MAX_AMOUNT = 1000


@dataclass(frozen=True)
class Period:
    unit: str
    count: int

    @property
    def hours(self) -> int:
        return UNIT_HOURS[self.unit] * self.count


def check_period(price_unit: str, period: int) -> Period:
    """PriceUnit Hour/Week/Month/Year with its Period range, or InvalidPriceUnit/InvalidPeriod."""
    if price_unit not in UNIT_HOURS:
        raise ApiError("InvalidPriceUnit", f"The specified PriceUnit '{price_unit}' is not "
                       "valid: use Hour, Week, Month or Year.", 400)
    allowed = UNIT_PERIODS[price_unit]
    if period not in allowed:
        raise ApiError("InvalidPeriod", f"The specified Period {period} is not valid for "
                       f"PriceUnit {price_unit}: {allowed.start}-{allowed.stop - 1}.", 400)
    return Period(price_unit, period)


def price_book(view: View) -> PriceBook:
    return view.get(tables.PRICE_BOOK, "price_book") or PriceBook()


def instance_type_of(view: View, instance_type_id: str) -> InstanceType:
    found = view.get(tables.INSTANCE_TYPES, instance_type_id)
    if found is None:
        raise invalid("InstanceType", f"{instance_type_id!r} is not an instance type",
                      "InvalidInstanceType.ValueNotSupported")
    return found


def check_fits(image: Image, instance_type: InstanceType) -> None:
    """The image must run on the type: architecture, 32-bit memory limit, Windows memory floor."""
    arm_image = image.architecture == "arm64"
    problem = ""
    if arm_image != (instance_type.architecture == "ARM"):
        problem = f"{image.architecture} image on an {instance_type.architecture} instance type"
    elif image.architecture == "i386" and instance_type.memory_size >= 4:
        problem = "a 32-bit image cannot use 4 GiB of memory or more"
    elif image.os_type == "windows" and instance_type.memory_size < 1:
        problem = "Windows needs at least 1 GiB of memory"
    if problem:
        raise ApiError("ImageNotSupportInstanceType", f"The image {image.image_id} does not "
                       f"support the instance type {instance_type.instance_type_id}: {problem}.",
                       403)


def _fees_or_raise(result: FeePreview | FeeProblem) -> FeePreview:
    if isinstance(result, FeeProblem):
        raise ApiError(result.code, result.message, result.http_status)
    return result


def _image_fees(view: View, account_id: str, image: Image, usage: Usage) -> FeePreview:
    snapshots = {
        disk.snapshot_id: snap for disk in image.disk_mappings
        if disk.snapshot_id and (snap := view.get(tables.SNAPSHOTS, disk.snapshot_id)) is not None
    }
    return _fees_or_raise(fees.image_fees(
        image, account_id=account_id, book=price_book(view), usage=usage,
        snapshots=snapshots, product=product_of(view, image)))


def preview_image_fees(ctx: Context, view: View, image: Image, instance_type_id: str,
                       count: int = 1, period: int = 1, price_unit: str = "Hour") -> FeePreview:
    """The fee pane: licence, snapshot storage and marketplace lines for a launch of ``image``."""
    when = check_period(price_unit, period)
    if not 1 <= count <= MAX_AMOUNT:
        raise invalid("Amount", f"{count} is not within 1-{MAX_AMOUNT}")
    instance_type = instance_type_of(view, instance_type_id)
    usage = Usage(instance_type.cpu_core_count, when.hours, count, prepaid=price_unit != "Hour")
    return _image_fees(view, ctx.account_id, image, usage)


def holding_costs(ctx: Context, view: View) -> dict[str, float | None]:
    """Monthly snapshot storage of the caller's custom images, per region (None: unknown)."""
    mine = [image for image in view.all(tables.IMAGES)
            if image.owner_kind == "custom" and image.owner_id == ctx.account_id]
    wanted = {d.snapshot_id for image in mine for d in image.disk_mappings if d.snapshot_id}
    # Sizes alone: 140,000 Snapshot records would cost the TUI about 100 MB.
    sizes = ctx.repo.field_values(tables.SNAPSHOTS, "size", wanted)
    snapshots = {sid: fees.SnapshotSize(size) for sid, size in sizes.items() if size is not None}
    return fees.holding_cost_per_region(mine, snapshots, price_book(view), ctx.account_id)


# -- DescribePrice ----------------------------------------------------------------------------


def _disk_category(book: PriceBook, value: str, code: str, name: str) -> str:
    category = value or DEFAULT_DISK_CATEGORY
    if category not in book.disk_per_gib_month:
        raise invalid(name, f"{category!r} is not a disk category", code)
    return category


def _data_disks(req: Request, book: PriceBook) -> list[tuple[str, int]]:
    disks = req.records("DataDisk")
    if len(disks) > MAX_DATA_DISKS:
        raise invalid("DataDisk.N", f"at most {MAX_DATA_DISKS} data disks can be priced")
    found = []
    for n, fields in disks:
        category = _disk_category(book, fields.get("Category", ""),
                                  "InvalidDataDiskCategory.ValueNotSupported",
                                  f"DataDisk.{n}.Category")
        size_text = fields.get("Size", "")
        if not size_text:
            raise missing(f"DataDisk.{n}.Size")
        size = req.int_or(f"DataDisk.{n}.Size", 0)
        if not DATA_DISK_MIN <= size <= DATA_DISK_MAX:
            raise invalid(f"DataDisk.{n}.Size",
                          f"{size} is not within {DATA_DISK_MIN}-{DATA_DISK_MAX} GiB",
                          "InvalidDataDiskSize.ValueNotSupported")
        found.append((category, size))
    return found


def _system_disk_size(req: Request, image_size: int) -> int:
    size = req.int_or("SystemDisk.Size", max(40, image_size))
    floor = max(SYSTEM_DISK_MIN, image_size)
    if size < floor:
        raise not_found("InvalidSystemDiskSize.LessThanImageSize", f"The specified "
                        f"SystemDisk.Size {size} GiB is less than {floor} GiB (the image size "
                        f"and the {SYSTEM_DISK_MIN} GiB minimum).")
    if size > SYSTEM_DISK_MAX:
        raise invalid("SystemDisk.Size", f"{size} is above {SYSTEM_DISK_MAX} GiB",
                      "InvalidSystemDiskSize.ValueNotSupported")
    return size


def _disk_cost(book: PriceBook, category: str, size: int, hours: float, amount: int) -> float:
    # A category the book does not price (cloud_essd_entry) costs what an ESSD does.
    per_gib = book.disk_per_gib_month.get(category, book.disk_per_gib_month.get("cloud_essd", 1.0))
    return per_gib * size * hours / fees.HOURS_PER_MONTH * amount


def _money(value: float) -> float:
    return round(value, 4)


def _priced(resource: str, original: float, discount_rate: float) -> dict[str, Any]:
    original = _money(original)
    discount = _money(original * discount_rate)
    line: dict[str, Any] = {
        "Resource": resource,
        "OriginalPrice": original,
        "DiscountPrice": discount,
        "TradePrice": _money(original - discount),
        "SubRules": {"Rule": _rules(discount_rate)},
    }
    return line


def _rules(discount_rate: float) -> list[dict[str, Any]]:
    return [{"RuleId": YEAR_RULE_ID, "Description": YEAR_RULE}] if discount_rate else []


def _amount(req: Request) -> int:
    amount = req.int_or("Amount", 1)
    if not 1 <= amount <= MAX_AMOUNT:
        raise invalid("Amount", f"{amount} is not within 1-{MAX_AMOUNT}")
    return amount


@action(
    "DescribePrice",
    Param("ResourceType"), Param("ImageId"), Param("InstanceType"),
    Param("SystemDisk.Category"), Param("SystemDisk.Size", int),
    Param("SystemDisk.PerformanceLevel"),
    Param("DataDisk.N.Category"), Param("DataDisk.N.Size", int),
    Param("DataDisk.N.PerformanceLevel"),
    Param("Period", int), Param("PriceUnit"), Param("Amount", int),
    Param("ZoneId"), Param("IoOptimized"), Param("InstanceNetworkType"),
)
def describe_price(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Price an instance (or a pay-as-you-go data disk) with its image's fees."""
    region_id = known_region(tx, req.str("RegionId", ctx.region_id))
    resource_type = req.str("ResourceType", "instance")
    if resource_type not in ("instance", "disk"):
        raise invalid("ResourceType", f"{resource_type!r} is not priced here (instance, disk)",
                      "InvalidResourceType.ValueNotSupported")
    when = check_period(req.str("PriceUnit", "Hour"), req.int_or("Period", 1))
    amount = _amount(req)
    book = price_book(tx)
    if resource_type == "disk":
        return _describe_disk_price(req, book, when, amount)
    instance_type = instance_type_of(tx, req.required("InstanceType"))
    image: Image | None = None
    if req.has("ImageId"):
        image = get_visible(tx, ctx.account_id, region_id, req.str("ImageId"))
        check_fits(image, instance_type)
    system_category = _disk_category(book, req.str("SystemDisk.Category"),
                                     "InvalidSystemDiskCategory.ValueNotSupported",
                                     "SystemDisk.Category")
    system_size = _system_disk_size(req, image.size if image else LINUX_IMAGE_SIZE)
    data_disks = _data_disks(req, book)
    return instance_price(tx, ctx.account_id, InstanceQuestion(
        instance_type, image, system_category, system_size, tuple(data_disks), when, amount))


@dataclass(frozen=True)
class InstanceQuestion:
    """What an instance price depends on: DescribePrice and a PrePaid RunInstances ask it."""

    instance_type: InstanceType
    image: Image | None
    system_category: str
    system_size: int
    data_disks: tuple[tuple[str, int], ...]
    when: Period
    amount: int


def instance_price(view: View, account_id: str, question: InstanceQuestion) -> Response:
    """The ``PriceInfo`` reply for ``question``, line by line."""
    book = price_book(view)
    when, amount, image = question.when, question.amount, question.image
    usage = Usage(question.instance_type.cpu_core_count, when.hours, amount,
                  prepaid=when.unit != "Hour")
    image_fees = _image_fees(view, account_id, image, usage) if image else None

    rate = YEAR_DISCOUNT if when.unit == "Year" else 0.0
    lines = [
        _priced("instanceType", question.instance_type.price_per_hour * when.hours * amount,
                rate),
        _priced("systemDisk", _disk_cost(book, question.system_category, question.system_size,
                                         when.hours, amount), rate),
    ]
    if question.data_disks:
        lines.append(_priced("dataDisk", sum(_disk_cost(book, category, size, when.hours, amount)
                                             for category, size in question.data_disks), rate))
    launch_fees = (_known(fees.add_known((image_fees.amount_of(fees.LICENCE),
                                          image_fees.amount_of(fees.MARKETPLACE))))
                   if image_fees else 0.0)
    lines.append(_priced("image", launch_fees, rate))
    body: dict[str, Any] = {"PriceInfo": {
        "Price": _total(book, lines),
        "Rules": {"Rule": _rules(rate)},
    }}
    if image_fees and image is not None and image.product_code:
        market = _priced("marketplace", _known(image_fees.amount_of(fees.MARKETPLACE)), rate)
        body["PriceInfo"]["RelatedPrice"] = {"MarketplaceImagePrice": {
            "Currency": book.currency, "OriginalPrice": market["OriginalPrice"],
            "DiscountPrice": market["DiscountPrice"], "TradePrice": market["TradePrice"],
        }}
    return body


def _known(amount: float | None) -> float:
    """A price the book holds; a price it lacks is an error, never a 0 in the reply."""
    if amount is None:
        raise ApiError("PriceNotFound", "The price book has no price for the image's fees.")
    return amount


def _total(book: PriceBook, lines: list[dict[str, Any]]) -> dict[str, Any]:
    original = _money(sum(line["OriginalPrice"] for line in lines))
    discount = _money(sum(line["DiscountPrice"] for line in lines))
    return {
        "Currency": book.currency,
        "OriginalPrice": original,
        "DiscountPrice": discount,
        "TradePrice": _money(original - discount),
        "ReservedInstanceHourPrice": 0.0,
        "DetailInfos": {"DetailInfo": lines},
    }


def _describe_disk_price(req: Request, book: PriceBook, when: Period, amount: int) -> Response:
    """A data disk alone is priced pay-as-you-go only, as the real API does."""
    if when.unit != "Hour":
        raise ApiError("InvalidPriceUnit", "A disk is priced only by the Hour.", 400)
    if not req.has("DataDisk.1.Category"):
        raise missing("DataDisk.1.Category")
    if not req.has("DataDisk.1.Size"):
        raise missing("DataDisk.1.Size")
    disks = _data_disks(req, book)
    cost = sum(_disk_cost(book, category, size, when.hours, amount) for category, size in disks)
    lines = [_priced("dataDisk", cost, 0.0)]
    return {"PriceInfo": {"Price": _total(book, lines), "Rules": {"Rule": []}}}
