from __future__ import annotations

from pathlib import Path

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.filtering import Query, parse_filter
from ecsimg.service.market import price
from ecsimg.service.reads import browse, image_rows
from ecsimg.service.reads.row_filter import RowFilter
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.world import DEV, OPS, T0, World, demo_repository


def test_rows_are_what_the_profile_sees_with_kind_usage_and_cost(world: World) -> None:
    own = world.image(size=40, shares=(m.SharePermission(DEV, "2025-06-02T00:00:00Z"),))
    world.image(owner=DEV, image_name="private")
    shared = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-06-02T00:00:00Z"),))
    public = world.public_image()
    world.marketplace_image(pricing_model="subscription", price=99.0)
    world.instance(image_id=public.image_id)
    loaded = browse.load(world.ctx())
    by_id = {r.image_id: r for r in loaded.rows}
    assert loaded.counts == {"all": 4, "public": 1, "custom": 1, "shared": 1,
                             "marketplace": 1, "community": 0}
    assert by_id[own.image_id].share_count == 1
    assert by_id[own.image_id].monthly_cost == pytest.approx(40 * 0.12 / 720 * 730)
    assert by_id[shared.image_id].kind == "shared"
    assert by_id[public.image_id].usage == "instance"
    assert next(r for r in loaded.rows if r.kind == "marketplace").monthly_cost == 99.0
    assert loaded.account_name == "ops-china"
    assert loaded.region_name == "华东1（杭州）"


def test_the_filter_combines_tab_and_terms_with_live_status(world: World) -> None:
    world.image(image_name="busy", pending_start=T0, pending_end=T0 + 100)
    world.image(image_name="done")
    loaded = browse.load(world.ctx())
    row_filter = RowFilter(loaded.rows, loaded.common_texts)

    def names(query: Query, kind: str, now: float) -> list[str]:
        return [r.name for r in row_filter.of_kind(row_filter.matching(query, now), kind)]

    creating = parse_filter("status:creating").query
    assert names(creating, "all", T0 + 1) == ["busy"]
    assert names(creating, "all", T0 + 200) == []  # a status term is read live
    assert sorted(names(Query(), "custom", T0)) == ["busy", "done"]
    assert names(Query(), "public", T0) == []


def test_details_show_snapshots_shares_instances_lineage_and_events(world: World) -> None:
    source = world.image(size=40, data_disks=(100,),
                         shares=(m.SharePermission(DEV, "2025-06-02T00:00:00Z"),))
    copy = world.image(region="cn-shanghai", copied_from=source.key, is_copied=True)
    user = world.instance(image_id=source.image_id)
    world.put(tables.EVENTS, m.Event("0001", "2026-01-01T00:00:00Z", "default", OPS,
                                     "ModifyImageSharePermission", {}, "Success", "R1",
                                     (source.image_id,)))
    row = next(r for r in browse.load(world.ctx()).rows if r.image_id == source.image_id)
    full = browse.details(world.ctx(), row, full=True)
    assert [d.mapping.size for d in full.mappings] == [40, 100]
    assert all(d.snapshot is not None for d in full.mappings)
    assert [(s.account_id, s.account_name) for s in full.shares] == [(DEV, "dev-team")]
    assert [i.instance_id for i in full.instances] == [user.instance_id]
    assert full.copies == (copy.key,)
    assert "ModifyImageSharePermission" in [e.action for e in full.events]
    assert any("snapshots 140 GiB" in line.label for line in full.fees)
    quick = browse.details(world.ctx(), row)
    assert quick.copies == () and quick.events == ()


def test_copied_from_a_deleted_image_is_reported_gone(world: World) -> None:
    image = world.image(copied_from="cn-beijing/m-gone000000000000000", is_copied=True)
    loaded = next(iter(browse.load(world.ctx()).rows))
    row = image_rows.ImageRow(image, loaded.kind, loaded.usage, loaded.monthly_cost,
                          loaded.own_text, loaded.common_text)
    found = browse.details(world.ctx(), row)
    assert found.copied_from == "cn-beijing/m-gone000000000000000"
    assert not found.copied_from_exists


def test_rule_110_list_cost_and_fee_pane_count_snapshot_gib_as_the_price_module(
        world: World) -> None:
    small = world.snapshot(size=28)
    shared = world.snapshot(size=64, disk_type="data")
    image = world.image(size=40, disk_mappings=(
        m.DiskMapping("/dev/xvda", "system", 40, small.snapshot_id),
        m.DiskMapping("/dev/xvdb", "data", 100, shared.snapshot_id),
        m.DiskMapping("/dev/xvdc", "data", 100, shared.snapshot_id),
        m.DiskMapping("/dev/xvdd", "data", 10, "s-missing0000000000000"),
    ))
    ctx = world.ctx()
    row = next(r for r in browse.load(ctx).rows if r.image_id == image.image_id)
    with ctx.repo.read() as view:
        preview = price.preview_image_fees(ctx, view, image, "ecs.g7.large")
    # 28 + 64 (once, though two disks use it) + 10 (a disk whose snapshot is gone).
    assert preview.holding_per_month == pytest.approx(102 * 0.12 / 720 * 730)
    # The list and pane price a month of 730 h, storage billed by the hour (price / 720).
    month = 102 * 0.12 / 720 * 730
    assert row.monthly_cost == pytest.approx(month)
    lines = browse.details(ctx, row).fees
    storage = next(line for line in lines if line.label.startswith("snapshots"))
    assert storage.label == "snapshots 102 GiB"
    assert storage.amount == pytest.approx(month)
    assert [line.label.split()[0] for line in lines] == [
        "licence", "snapshots", "marketplace", "per"]


def test_snapshot_sizes_are_read_without_loading_snapshot_records(world: World) -> None:
    image = world.image(size=40, data_disks=(100,))
    ctx = world.ctx()
    assert isinstance(ctx.repo, TinyRepository)
    ctx.repo._loaded.pop("snapshots", None)
    sizes = browse.SnapshotSizes()
    loaded = browse.load(ctx, sizes=sizes)
    assert "snapshots" not in ctx.repo._loaded  # sizes only: no Snapshot record kept
    row = next(r for r in loaded.rows if r.image_id == image.image_id)
    assert [sizes.get(d.snapshot_id) for d in image.disk_mappings] == [40, 100]
    found = browse.details(ctx, row, sizes=sizes)
    assert all(d.snapshot_exists for d in found.mappings)


ROW_FIELDS = ("key", "image_id", "region_id", "image_name", "kind", "usage", "monthly_cost",
              "own_text", "common_text", "os_text", "os_name", "os_name_en", "os_type",
              "platform", "architecture", "family", "size", "creation_time", "status",
              "pending_start", "pending_end", "product_code", "tags", "share_count")


@pytest.mark.parametrize("storage", ["tinydb", "memory"])
@pytest.mark.parametrize("profile", ["default", "dev", "partner"])
def test_rows_read_from_documents_agree_with_rows_of_the_records(
        tmp_path: Path, storage: str, profile: str) -> None:
    """The list reads a few fields of each stored document; every row must say what the
    decoded record says (the row of ``row_of``), for every kind of image and every caller."""
    from ecsimg.bootstrap import make_context

    repo = demo_repository(tmp_path / "catalogue", storage, images=600, random_seed=7)
    ctx = make_context(repo, profile)
    for region_id in (None, image_rows.ALL_REGIONS):
        loaded = browse.load(ctx, region_id)
        assert loaded.rows
        for row in loaded.rows:
            again = browse.row_of(ctx, row)
            assert again is not None
            assert [getattr(row, f) for f in ROW_FIELDS] == [getattr(again, f)
                                                              for f in ROW_FIELDS], row.key
            assert row.image == again.image  # the record, read on demand
    kinds = {row.kind for row in browse.load(ctx, image_rows.ALL_REGIONS).rows}
    assert {"public", "marketplace"} <= kinds


def test_a_row_whose_image_was_deleted_since_keeps_its_own_fields(world: World) -> None:
    image = world.image(image_name="soon-gone", tags=(m.Tag("env", "prod"),))
    row = next(r for r in browse.load(world.ctx()).rows if r.image_id == image.image_id)
    with world.repo.transaction() as tx:
        tx.delete(tables.IMAGES, image.key)
    record = row.image
    assert (record.image_id, record.image_name, record.tags) == (
        image.image_id, "soon-gone", (m.Tag("env", "prod"),))
