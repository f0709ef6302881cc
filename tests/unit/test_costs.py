"""The cost dashboard's maths: groups, top images, savings with shared snapshots, weeks."""

from __future__ import annotations

import pytest

from ecsimg.domain import costs, fees
from ecsimg.domain import models as m
from ecsimg.domain.clock import parse_iso

ME = "1234567890123456"
OTHER = "2345678901234567"
NOW = parse_iso("2026-01-01T00:00:00Z")
BOOK = m.PriceBook(snapshot_per_gib_month={"*": 0.12, "ap-southeast-1": 0.2})


def _image(image_id: str, region: str = "cn-hangzhou", family: str = "", owner: str = ME,
           snapshots: tuple[str, ...] = (), created: str = "2025-12-30T00:00:00Z") -> m.Image:
    disks = tuple(m.DiskMapping(f"/dev/xvd{chr(97 + n)}", "system" if n == 0 else "data", 40,
                                snap) for n, snap in enumerate(snapshots))
    return m.Image(region_id=region, image_id=image_id, image_name=image_id, owner_kind="custom",
                   owner_id=owner, os_type="linux", platform="Aliyun", os_name="x", os_name_en="x",
                   architecture="x86_64", size=40, creation_time=created, image_family=family,
                   disk_mappings=disks)


SIZES = {"s-a": fees.SnapshotSize(10), "s-b": fees.SnapshotSize(30), "s-c": fees.SnapshotSize(5),
         "s-d": fees.SnapshotSize(100)}
IMAGES = [
    _image("m-one", family="web", snapshots=("s-a", "s-b")),
    _image("m-two", family="web", snapshots=("s-b",)),  # shares s-b with m-one
    _image("m-three", region="ap-southeast-1", snapshots=("s-c",),
           created="2025-12-01T00:00:00Z"),
    _image("m-theirs", owner=OTHER, snapshots=("s-d",)),
]


def test_regions_count_a_shared_snapshot_once_and_agree_with_holding_costs() -> None:
    report = costs.cost_report(IMAGES, SIZES, BOOK, ME, NOW)
    per_region = {g.name: g.per_month for g in report.regions}
    expected = fees.holding_cost_per_region(IMAGES, SIZES, BOOK, ME)
    assert per_region == pytest.approx(expected)
    assert per_region["cn-hangzhou"] == pytest.approx(40 * 0.12 / 720 * 730)
    assert report.per_month == pytest.approx(sum(expected.values()))
    assert report.snapshot_gib == 45  # s-a, s-b, s-c; not the other account's s-d
    assert {g.name: g.images for g in report.families} == {"web": 2, costs.NO_FAMILY: 1}


def test_top_images_are_by_cost_with_their_own_snapshot_gib() -> None:
    report = costs.cost_report(IMAGES, SIZES, BOOK, ME, NOW)
    assert [h.image_id for h in report.top(2)] == ["m-one", "m-two"]
    assert [h.snapshot_gib for h in report.images] == [40, 30, 5]
    assert report.images[0].per_month == pytest.approx(
        fees.snapshot_monthly_cost(40, "cn-hangzhou", BOOK))


def test_deleting_an_image_frees_only_snapshots_no_other_image_holds() -> None:
    report = costs.cost_report(IMAGES, SIZES, BOOK, ME, NOW)
    one = report.savings({"cn-hangzhou/m-one"})
    assert (one.images, one.freed_gib, one.image_only) == (1, 10, 0.0)  # s-b stays for m-two
    both = report.savings({"cn-hangzhou/m-one", "cn-hangzhou/m-two"})
    assert both.freed_gib == 40
    assert both.with_snapshots == pytest.approx(report.regions[0].per_month)
    assert report.savings({"cn-hangzhou/m-theirs"}).images == 0


def test_images_created_per_week_end_with_this_week() -> None:
    weeks = costs.created_per_week(["2025-12-31T00:00:00Z", "2025-12-30T00:00:00Z",
                                    "2025-12-01T00:00:00Z", "not a time",
                                    "2026-01-01T00:05:00Z"], NOW)
    assert weeks == (1, 0, 0, 0, 3)  # the oldest week first; a clock behind counts this week
    assert len(costs.created_per_week(["2020-01-01T00:00:00Z"], NOW)) == costs.WEEKS_KEPT
    assert costs.created_per_week([], NOW) == (0,)


def test_without_a_price_book_every_figure_is_unknown_and_the_total_says_so() -> None:
    report = costs.cost_report(IMAGES, SIZES, m.PriceBook(), ME, NOW)
    assert report.images and all(h.per_month is None for h in report.images)
    assert all(g.per_month is None for g in report.regions + report.families)
    assert report.per_month is None and not report.priced
    assert report.snapshot_gib == 10 + 30 + 5  # sizes are still known
    assert report.savings({"cn-hangzhou/m-one"}).with_snapshots is None
    priced = costs.cost_report(IMAGES, SIZES, BOOK, ME, NOW)
    assert priced.priced and priced.per_month is not None and priced.per_month > 0
