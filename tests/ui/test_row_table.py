"""The loaded rows kept as columns (``RowTable``): every column says what its rows say, rows
are made once and found by identity, and what the list does with a table (order, filter,
tabs, keys) agrees with doing it to a list of the same rows."""

from __future__ import annotations

import shutil
from array import array
from pathlib import Path
from typing import Any

import pytest

from ecsimg.bootstrap import make_context
from ecsimg.domain import models as m
from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.filtering import parse_filter
from ecsimg.service.market import price
from ecsimg.service.reads import browse, fees, image_rows
from ecsimg.service.reads.fees import SnapshotSizes
from ecsimg.service.reads.image_rows import Field
from ecsimg.service.reads.row_filter import RowFilter
from ecsimg.service.reads.row_table import (
    DERIVED,
    KEPT,
    ROWS_KEPT,
    RowsAt,
    RowTable,
    TableBuilder,
    columns_of,
    positions_in,
)
from ecsimg.store import projections, tables
from ecsimg.store.columns import Column
from ecsimg.ui.widgets.columns import SORTABLE
from tests.store.kept_files import rewrite_kept, with_a_value_of_another_type
from tests.ui.test_browse import ROW_FIELDS
from tests.world import DEV, OPS, T0, World, demo_repository

COLUMNS = sorted({*KEPT, *DERIVED, "key", "os_text", "monthly_cost"}
                 - {"license_os", "license_type", "storage_gib"})
"""The columns that are also a row's fields (the cost's inputs are not)."""
assert set(COLUMNS) <= set(ROW_FIELDS)


def _forget_kept_rows(location: Path) -> None:
    """Remove the rows and snapshot sizes kept per shard (``ROWS_KEPT``, ``SIZES_KEPT``), so
    that the next load reads the kept projections they are made from."""
    for name in (ROWS_KEPT, fees.SIZES_KEPT):
        shutil.rmtree(location / projections.FOLDER / name, ignore_errors=True)


def _table(rows: Any) -> RowTable:
    assert isinstance(rows, RowTable)
    return rows


@pytest.mark.parametrize("profile", ["default", "dev"])
def test_every_column_is_its_rows_field_in_the_lists_order(tmp_path: Path,
                                                           profile: str) -> None:
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=400, random_seed=3)
    ctx = make_context(repo, profile)
    for region_id in (None, image_rows.ALL_REGIONS):
        table = _table(browse.load(ctx, region_id).rows)
        rows = list(table)
        assert len(rows) == len(table) > 20
        for name in COLUMNS:
            assert columns_of(table, name) == [getattr(row, name) for row in rows], name
        pairs = [(row.creation_time, row.image_id) for row in rows]
        assert pairs == sorted(pairs, reverse=True)
        assert browse.load(ctx, region_id).counts == image_rows.count_kinds(
            [row.kind for row in rows])


def test_a_row_is_made_once_and_found_by_identity(world: World) -> None:
    for n in range(8):
        world.image(image_name=f"web-{n}", creation_time=f"2025-06-0{n + 1}T00:00:00Z")
    table = _table(browse.load(world.ctx()).rows)
    first = table[3]
    assert table[3] is first
    assert list(table)[3] is first
    assert table.index(first) == 3 and first in table
    assert table[-1] is table[len(table) - 1]
    assert table[2:5] == [table[2], table[3], table[4]]
    with pytest.raises(IndexError):
        table[len(table)]
    other = _table(browse.load(world.ctx()).rows)[3]
    assert other.key == first.key and other not in table  # another load's row
    with pytest.raises(ValueError):
        table.index(other)
    some = RowsAt(table, array("l", [1, 3, 6]))
    assert some.index(first) == 1
    assert columns_of(some, "image_name") == [table[1].image_name, first.image_name,
                                              table[6].image_name]
    with pytest.raises(ValueError):
        some.index(table[2])


def test_the_first_rows_stay_as_they_were_while_the_rest_are_read(tmp_path: Path) -> None:
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=400, random_seed=5)
    ctx = make_context(repo)
    seen: list[tuple[RowTable, list[str], float]] = []

    def first_rows(partial: image_rows.RegionRows, done: float) -> None:
        table = _table(partial.rows)
        seen.append((table, columns_of(table, "key"), done))

    loaded = browse.load(ctx, image_rows.ALL_REGIONS, on_partial=first_rows)
    assert len(seen) == 1
    partial, keys, done = seen[0]
    assert 0 < done < 1 and 0 < len(partial) < len(loaded.rows)
    assert [row.key for row in partial] == keys  # not changed by the shards read after it
    assert set(keys) <= set(columns_of(loaded.rows, "key"))


def test_timestamps_of_several_lengths_are_ordered_as_pairs(world: World) -> None:
    times = ["2025-06-01T00:00:00Z", "2025-06-01T00:00:00.500Z", "2025-05-31T23:59:59Z",
             "2025-06-01T00:00:00Z"]
    for n, created in enumerate(times):
        world.image(image_name=f"t-{n}", creation_time=created)
    rows = list(browse.load(world.ctx()).rows)
    pairs = [(row.creation_time, row.image_id) for row in rows]
    assert pairs == sorted(pairs, reverse=True)


def test_the_filter_and_the_tabs_over_a_table_agree_with_a_list_of_its_rows(
        world: World) -> None:
    for n in range(10):
        world.image(image_name=f"web-{n:02d}", image_family="db" if n % 2 else "dbx",
                    tags=(m.Tag("env", "prod" if n % 3 else "dev"),),
                    os_type="windows" if n % 4 else "linux",
                    shares=(m.SharePermission(DEV, "2025-06-02T00:00:00Z"),) if n % 5 else ())
    world.image(owner=DEV, image_name="web-theirs",
                shares=(m.SharePermission(OPS, "2025-06-02T00:00:00Z"),))
    world.public_image()
    world.instance(image_id=world.public_image(image_id="centos_7_x64.vhd").image_id)
    world.image(image_name="web-busy", pending_start=T0 - 10, pending_end=T0 + 100)
    world.image(image_name="web-waiting", pending_start=T0 + 50, pending_end=T0 + 100)
    loaded = browse.load(world.ctx())
    table = _table(loaded.rows)
    listed = list(table)
    over_table = RowFilter(table, loaded.common_texts)
    over_list = RowFilter(listed, loaded.common_texts)
    for line in ("", "web", "web-0 -web-01", "family:dbx", "os:win,cent", "usage:instance",
                 "type:shared", "tag:env=prod", "-tag:env=dev,env", "-arch:arm64 db",
                 "size>=20", "size<40", "name:web-0", "-name:web-01,theirs", "name:web tag:env",
                 "status:creating", "status:waiting,creating web", "-status:available"):
        query = parse_filter(line).query
        got, expected = over_table.matching(query, T0), over_list.matching(query, T0)
        assert list(got.rows) == list(expected.rows), line
        assert list(got.rows) == [r for r in listed  # what Query.matches says, row by row
                                  if query.matches(r, image_rows.row_state(r, T0)[0])], line
        assert got.counts == expected.counts, line
        if line.startswith("status:"):
            assert got.rows, line  # a busy image and a waiting one are there
        for kind in ("all", "custom", "shared", "public"):
            assert list(over_table.of_kind(got, kind)) == [
                row for row in expected.rows if kind in ("all", row.kind)], (line, kind)


@pytest.mark.parametrize("reverse", [False, True])
def test_sorting_a_table_by_its_columns_orders_as_sorting_its_rows(
        tmp_path: Path, reverse: bool) -> None:
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=300, random_seed=11)
    ctx = make_context(repo)
    table = _table(browse.load(ctx, image_rows.ALL_REGIONS).rows)
    rows = list(table)
    by_columns = [c for c in SORTABLE if c.keys_of is not None]
    assert by_columns == list(SORTABLE)
    for column in by_columns:
        assert column.sort_key is not None
        keys = column.keys_of(table.column, T0 + 30)  # type: ignore[misc]
        assert keys == [column.sort_key(row, T0 + 30) for row in rows], column.key
        ordered = table.sorted_by(keys, reverse)
        expected = sorted(rows, key=lambda r: column.sort_key(r, T0 + 30),  # type: ignore[misc]
                          reverse=reverse)
        assert list(ordered) == expected, column.key  # the same row objects, in that order
        assert ordered.index(expected[7]) == 7
        assert columns_of(ordered, "key") == [row.key for row in expected]


@pytest.mark.parametrize("share", ["none", "sparse", "dense", "all"])
def test_a_result_found_as_a_mask_reads_as_its_positions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: str) -> None:
    """A mask's rows, read a window at a time (without listing every position) or all, by
    index, slice, iteration or identity, are those of the same positions."""
    monkeypatch.setattr(RowsAt, "WINDOW", 16)
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=300, random_seed=4)
    table = _table(browse.load(make_context(repo)).rows)
    size = len(table)
    def keep(n: int) -> bool:
        return {"none": False, "sparse": n % 37 == 5, "dense": n % 5 != 0, "all": True}[share]

    mask = bytes(1 if keep(n) else 0 for n in range(size))
    positions = array("l", [n for n in range(size) if keep(n)])
    assert positions_in(mask, len(positions)) == positions
    as_mask, as_positions = RowsAt.of_mask(table, mask), RowsAt(table, positions)
    assert len(as_mask) == len(positions) and as_mask.mask == mask
    slices = [slice(0, 3), slice(2, 16), slice(10, 40), slice(None), slice(5, None, 3),
              slice(-4, None), slice(20, 2, -2)]
    for index in (40, 0, 1, 15, 16, 17, len(positions) - 1, -1, -len(positions), 33):
        if -len(positions) <= index < len(positions):  # windows, before any full listing
            assert as_mask[index] is as_positions[index] is table[positions[index]]
    assert as_mask._positions is None  # read by windows so far
    for cut in slices:
        assert as_mask[cut] == as_positions[cut], cut
    with pytest.raises(IndexError):
        as_mask[len(positions)]
    fresh = RowsAt.of_mask(table, mask)
    for at, position in enumerate(positions):
        assert fresh.index(table[position]) == at  # counted in the mask, not listed
    outside = [n for n in range(size) if not keep(n)][:5]
    for position in outside:
        with pytest.raises(ValueError):
            fresh.index(table[position])
    assert list(as_mask) == list(as_positions) and as_mask == as_positions
    assert as_mask.positions == positions
    assert columns_of(as_mask, "image_id") == columns_of(as_positions, "image_id")


def _kept_list_files(folder: Path) -> dict[Path, tuple[int, int]]:
    """The list's kept projections, each with its inode and modification time."""
    return {path: (path.stat().st_ino, path.stat().st_mtime_ns)
            for name in (image_rows.LIST_FIELDS, fees.SNAPSHOT_SIZES)
            for path in (folder / projections.FOLDER / name).glob("*.json")}


def _row_fields(rows: Any) -> list[list[Any]]:
    return [[getattr(row, f) for f in ROW_FIELDS] for row in rows]


def test_the_kept_list_fields_are_of_the_types_the_list_declares(tmp_path: Path) -> None:
    """What the list extracts of the demo's documents (every kind of image, pending windows,
    disks, shares, tags) is kept, and used as it is by the next load."""
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=400, random_seed=3)
    ctx = make_context(repo)
    cold = _row_fields(browse.load(ctx, image_rows.ALL_REGIONS).rows)
    kept = _kept_list_files(repo.location)
    shards = {name: len(list((repo.location / name).glob("*.json")))
              for name in ("images", "snapshots")}
    assert len(kept) == shards["images"] + shards["snapshots"]
    assert _row_fields(browse.load(make_context(repo), image_rows.ALL_REGIONS).rows) == cold
    assert _kept_list_files(repo.location) == kept  # used, not written again


@pytest.mark.parametrize(("name", "field", "wrong", "coded"), [
    pytest.param(image_rows.LIST_FIELDS, Field.TAGS, 7, False, id="tags-holding-a-number"),
    pytest.param(image_rows.LIST_FIELDS, Field.NAME, ["web"], False, id="name-holding-a-list"),
    pytest.param(image_rows.LIST_FIELDS, Field.SIZE, "40", True, id="size-holding-text"),
    pytest.param(image_rows.LIST_FIELDS, Field.PUBLIC, "false", True,
                 id="public-holding-text"),
    pytest.param(image_rows.LIST_FIELDS, Field.PENDING_END, True, True,
                 id="pending-end-holding-a-bool"),
    pytest.param(image_rows.LIST_FIELDS, Field.SHARED_WITH, [1234567890123456], True,
                 id="shares-holding-a-number"),
    pytest.param(image_rows.LIST_FIELDS, Field.DISKS, [["/dev/xvdb", "40", "s-1"]], True,
                 id="disks-holding-text-for-gib"),
    pytest.param(image_rows.LIST_FIELDS, Field.DISKS, [["/dev/xvdb", 40]], False,
                 id="disks-holding-a-pair"),
    pytest.param(fees.SNAPSHOT_SIZES, 1, "40", False, id="snapshot-size-holding-text"),
])
def test_a_kept_list_projection_of_other_types_is_read_again_from_the_images(
        tmp_path: Path, name: str, field: int, wrong: Any, coded: bool) -> None:
    """A kept file the store would use but for one value of a type the list does not read
    gives the rows a cold read gives, and is written again as the cold read wrote it."""
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=300, random_seed=3)
    cold = _row_fields(browse.load(make_context(repo), image_rows.ALL_REGIONS).rows)
    files = sorted((repo.location / projections.FOLDER / name).glob("*.json"))
    written = {path: path.read_bytes() for path in files}
    for target in files:
        rewrite_kept(target, lambda stored: with_a_value_of_another_type(stored, field, wrong,
                                                                         coded))
    assert {path: path.read_bytes() for path in files} != written
    _forget_kept_rows(repo.location)
    assert _row_fields(browse.load(make_context(repo), image_rows.ALL_REGIONS).rows) == cold
    assert {path: path.read_bytes() for path in files} == written


@pytest.mark.parametrize("coded", [False, True])
@pytest.mark.parametrize("wrong", ["not json", '"text"', "[[1, 2]]", '[["k"]]', "{}"])
def test_kept_tags_that_are_not_pairs_are_read_again_from_the_images(
        tmp_path: Path, wrong: str, coded: bool) -> None:
    """Tags kept as text that is not ``[[key, value], ...]`` (a kept file written by hand,
    its checksum made again) give the rows a cold read gives: the part is read again from
    its shard and kept again as the cold read kept it."""
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=300, random_seed=3)
    cold = _row_fields(browse.load(make_context(repo), image_rows.ALL_REGIONS).rows)
    files = sorted((repo.location / projections.FOLDER / image_rows.LIST_FIELDS).glob("*.json"))
    written = {path: path.read_bytes() for path in files}
    for target in files:
        rewrite_kept(target, lambda stored: with_a_value_of_another_type(
            stored, Field.TAGS, wrong, coded))
    assert {path: path.read_bytes() for path in files} != written
    _forget_kept_rows(repo.location)
    assert _row_fields(browse.load(make_context(repo), image_rows.ALL_REGIONS).rows) == cold
    assert {path: path.read_bytes() for path in files} == written


def test_tags_that_are_not_pairs_reaching_the_list_are_a_catalogue_error(world: World) -> None:
    """A part whose tags are not pairs that reaches the list all the same (no store checked
    it) stops the load with a catalogue error that says what to do, not a TypeError."""
    world.image(image_name="tagged", tags=(m.Tag("env", "prod"),))
    ctx = world.ctx()
    parts: list[list[Column]] = []
    ctx.repo.project_columns(tables.IMAGES, None, image_rows.document_fields,
                             image_rows.FIELD_TYPES, lambda part, done, total: parts.append(part))
    part = parts[0]
    part[Field.TAGS] = Column(["[[1, 2]]"] * len(part[Field.ID].values))
    with ctx.repo.read() as view:
        costs = image_rows.Costs(ctx.account_id, price.price_book(view), {})
    builder = TableBuilder(ctx.account_id, costs, lambda key: None,
                           lambda: (set(), SnapshotSizes()))
    assert not builder.read_tags(part)
    with pytest.raises(CatalogueError, match=r"not \[key, value\] pairs.*\.cache"):
        builder.derive(part)


def test_an_image_record_whose_tags_are_not_text_is_named(world: World) -> None:
    """A stored image whose tag key is a number (a hand-edited shard) is a catalogue error
    naming the record, read cold or kept."""
    image = world.image(image_name="odd-tags", tags=(m.Tag("env", "prod"),))
    folder = world.ctx().repo.location / "images"
    for path in folder.glob("*.json"):
        text = path.read_text()
        if image.image_id in text:
            path.write_text(text.replace('"key":"env"', '"key":5').replace(
                '"key": "env"', '"key": 5'))
    with pytest.raises(CatalogueError, match=image.image_id):
        browse.load(world.ctx(), image_rows.ALL_REGIONS)
