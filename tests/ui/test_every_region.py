"""The every-region list: a key and a palette entry, a Region column, filters, sort, counts."""

from __future__ import annotations

from ecsimg.domain import models as m
from ecsimg.domain.filtering import parse_filter
from ecsimg.service.reads import browse, image_rows
from ecsimg.service.reads.row_filter import RowFilter
from ecsimg.ui.widgets.header import HeaderBar
from ecsimg.ui.widgets.tabs import TypeTabs
from tests.ui.test_main_screen import image_list, main, running, settle, type_filter
from tests.world import World


def build(world: World) -> None:
    world.image(image_name="hz-web", creation_time="2025-06-01T00:00:00Z")
    world.image(image_name="sh-web", region="cn-shanghai", creation_time="2025-06-02T00:00:00Z")
    world.image(image_name="sh-db", region="cn-shanghai", os_type="windows",
                creation_time="2025-06-03T00:00:00Z")
    world.public_image()
    world.public_image(region="cn-shanghai")


def test_the_every_region_load_holds_each_regions_images_once(world: World) -> None:
    build(world)
    world.instance(region="cn-shanghai", image_id=world.image(
        image_name="sh-used", region="cn-shanghai").image_id)
    loaded = browse.load(world.ctx(), image_rows.ALL_REGIONS)
    assert loaded.every_region
    by_name = {row.name: row for row in loaded.rows if row.kind == "custom"}
    assert {name: row.region_id for name, row in by_name.items()} == {
        "hz-web": "cn-hangzhou", "sh-web": "cn-shanghai", "sh-db": "cn-shanghai",
        "sh-used": "cn-shanghai"}
    assert by_name["sh-used"].usage == "instance" and by_name["sh-web"].usage == "none"
    assert len(loaded.rows) == 6 and loaded.counts["public"] == 2
    one = browse.load(world.ctx())
    assert {row.region_id for row in one.rows} == {"cn-hangzhou"}


async def test_the_key_shows_every_region_with_a_region_column(world: World) -> None:
    build(world)
    async with running(world, size=(80, 24)) as (app, pilot):
        rows = image_list(app)
        assert {r.name for r in rows.rows if r.kind == "custom"} == {"hz-web"}
        await pilot.press("A")
        await settle(app, pilot)
        assert {r.name for r in rows.rows if r.kind == "custom"} == {"hz-web", "sh-web", "sh-db"}
        lines = rows.rendered_lines()
        assert "Region" in lines[0]
        assert any("sh-web" in line and "cn-shanghai" in line for line in lines)
        assert main(app).query_one(HeaderBar).info.region_id == "every region"
        tabs = main(app).query_one(TypeTabs)
        assert "EVERY REGION" in tabs.render().plain and tabs.counts["all"] == 5
        await type_filter(app, pilot, "region:cn-sh -os:windows")
        assert [r.name for r in rows.rows if r.kind == "custom"] == ["sh-web"]
        assert tabs.counts["all"] == 2
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("A")
        await settle(app, pilot)
        assert {r.name for r in rows.rows if r.kind == "custom"} == {"hz-web"}
        assert "Region" not in rows.rendered_lines()[0]
        assert "EVERY" not in tabs.render().plain
        assert main(app).query_one(HeaderBar).info.region_id == "cn-hangzhou"


async def test_the_region_column_sorts(world: World) -> None:
    build(world)
    async with running(world, size=(120, 30)) as (app, pilot):
        await pilot.press("A")
        await settle(app, pilot)
        rows = image_list(app)
        for _ in range(12):
            if rows.sort_label.startswith("Region"):
                break
            await pilot.press("o")
            await settle(app, pilot)
        assert rows.sort_label.startswith("Region")
        regions = [r.region_id for r in rows.rows]
        assert regions == sorted(regions, reverse=rows.sort_reverse) and len(set(regions)) == 2


async def test_the_palette_entry_and_a_region_switch_leave_the_mode(world: World) -> None:
    build(world)
    async with running(world, size=(80, 24)) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"every region: list")
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = main(app)
        assert screen.every_region and len(image_list(app).rows) == 5
        screen.switch_region("cn-shanghai")
        await settle(app, pilot)
        assert not screen.every_region
        assert {r.region_id for r in image_list(app).rows} == {"cn-shanghai"}


def test_a_tag_in_one_region_is_found_from_every_region(world: World) -> None:
    world.image(image_name="tagged", region="cn-shanghai", tags=(m.Tag("env", "prod"),))
    world.image(image_name="plain")
    loaded = browse.load(world.ctx(), image_rows.ALL_REGIONS)
    query = parse_filter("tag:env=prod").query
    found = RowFilter(loaded.rows, loaded.common_texts).matching(query, 0.0)
    assert [r.name for r in found.rows] == ["tagged"]
