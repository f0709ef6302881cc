from __future__ import annotations

from pathlib import Path

import pytest

from ecsimg.bootstrap import make_context
from ecsimg.domain import models as m
from ecsimg.domain.filtering import Query, parse_filter
from ecsimg.service.reads import browse, image_rows, row_filter
from ecsimg.service.reads.row_filter import RowFilter, narrows
from tests.world import T0, World, demo_repository


def _query(line: str) -> Query:
    return parse_filter(line).query


def test_narrowing_queries_are_recognised() -> None:
    assert narrows(_query("web-"), _query("web"))
    assert narrows(_query("web os:ubu"), _query("we os:u"))
    assert narrows(_query("family:dbx"), _query("family:db"))
    assert not narrows(_query("web"), _query("web-"))
    assert not narrows(_query("os:linux"), _query("os:lin"))  # the OS type matches by name
    assert not narrows(_query("arch:arm64"), _query("arch:x86"))


def test_typing_and_erasing_gives_what_a_fresh_filter_gives(world: World) -> None:
    for n in range(12):
        world.image(image_name=f"web-{n:02d}", image_family="db" if n % 2 else "dbx",
                    tags=(m.Tag("env", "prod"),), os_type="windows" if n % 3 else "linux")
    world.public_image()
    loaded = browse.load(world.ctx())
    rows = list(loaded.rows)
    row_filter = RowFilter(rows, loaded.common_texts)
    typed = "web-0 family:dbx os:windows"
    lines = [typed[:n] for n in range(1, len(typed) + 1)]
    for line in lines + lines[::-1]:
        query = _query(line)
        got = row_filter.matching(query, T0)
        expected = [r for r in rows if query.matches(r, "")]
        assert list(got.rows) == expected, line
        assert got.counts == image_rows.count_kinds([r.kind for r in expected])


def test_negation_and_alternatives_narrow_only_when_they_must() -> None:
    assert narrows(_query("os:ubu"), _query("os:u,deb"))
    assert narrows(_query("-os:ubu"), _query("-os:ubuntu"))  # excluding more
    assert narrows(_query("-web -db"), _query("-web"))
    assert narrows(_query("-web"), _query("-web-01"))  # excluding more
    assert not narrows(_query("-web-01"), _query("-web"))  # excluding less
    assert not narrows(_query("os:ubuntu,deb"), _query("os:ubuntu"))  # an alternative widens
    assert not narrows(_query("-os:ubuntu"), _query("-os:ubu"))
    assert not narrows(_query("-os:ubuntu"), _query("os:ubuntu"))
    assert not narrows(_query("os:ubuntu"), _query("-os:ubuntu"))
    assert not narrows(_query("-family:db"), _query("family:db"))


def test_negation_and_alternatives_per_keystroke_agree_with_a_fresh_filter(
        world: World) -> None:
    for n in range(12):
        world.image(image_name=f"web-{n:02d}", image_family="db" if n % 2 else "dbx",
                    tags=(m.Tag("env", "prod" if n % 4 else "dev"),),
                    os_type="windows" if n % 3 else "linux")
    world.public_image()
    loaded = browse.load(world.ctx())
    rows = list(loaded.rows)
    row_filter = RowFilter(rows, loaded.common_texts)
    for typed in ("-web-0 !family:dbx,db os:windows,linux", "family:db,dbx -tag:env=dev -os:win",
                  "web-1 -web-10 !tag:env=prod,env=dev"):
        lines = [typed[:n] for n in range(1, len(typed) + 1)]
        for line in lines + lines[::-1] + lines:
            query = _query(line)
            got = row_filter.matching(query, T0)
            expected = [r for r in rows if query.matches(r, "")]
            assert [r.key for r in got.rows] == [r.key for r in expected], line
            assert got.counts == image_rows.count_kinds([r.kind for r in expected])


def test_words_in_any_script_over_own_and_shared_texts_agree_with_a_fresh_filter(
        world: World) -> None:
    """Words matched by the filter's columns: Chinese and Latin names, IDs, snapshot IDs, OS
    names and descriptions (the texts rows share), excluded words, and a tab's counts."""
    names = ["生产环境-web服务器", "测试-db", "web-prod", "日志-collector", "Web-Dev"]
    for n, name in enumerate(names * 3):
        world.image(image_name=f"{name}-{n}", description="夜间备份" if n % 2 else "nightly",
                    os_name="Ubuntu 22.04 64位" if n % 3 else "CentOS 7.9 64位",
                    os_type="linux")
    world.public_image()
    loaded = browse.load(world.ctx())
    rows = list(loaded.rows)
    snapshot = next(d.snapshot_id for d in rows[0].image.disk_mappings if d.snapshot_id)
    image_id = rows[1].image_id
    for typed in ("web服务器 -测试", "生产 -nightly ubuntu", "夜间 centos -web", "64位 -日志",
                  f"{snapshot[:6]} -dev", f"{image_id[2:9]}"):
        row_filter = RowFilter(rows, loaded.common_texts)
        lines = [typed[:n] for n in range(1, len(typed) + 1)]
        for line in lines + lines[::-1]:
            query = _query(line)
            got = row_filter.matching(query, T0)
            expected = [r for r in rows if query.matches(r, "")]
            assert [r.key for r in got.rows] == [r.key for r in expected], line
            assert got.counts == image_rows.count_kinds([r.kind for r in expected]), line
    assert RowFilter(rows, loaded.common_texts).matching(_query("夜间"), T0).counts["custom"] == 7


def test_a_result_finds_its_rows_as_a_list_would(world: World) -> None:
    for n in range(6):
        world.image(image_name=f"{'web' if n % 2 else 'db'}-{n}")
    loaded = browse.load(world.ctx())
    rows = list(loaded.rows)
    found = RowFilter(rows, loaded.common_texts).matching(_query("web"), T0).rows
    as_list = [r for r in rows if "web" in r.image_name]
    assert list(found) == as_list and len(found) == 3
    assert found == as_list and as_list == found and found != as_list[:2]
    assert found[1:] == as_list[1:] and found[-1] is as_list[-1]
    assert [found.index(row) for row in as_list] == [0, 1, 2]
    other = next(r for r in rows if "db" in r.image_name)
    with pytest.raises(ValueError):
        found.index(other)


def test_a_question_mark_matches_itself_not_a_chinese_character(world: World) -> None:
    for name in ("db?1", "生产db", "db生产?", "plain-db"):
        world.image(image_name=name)
    loaded = browse.load(world.ctx())
    rows = list(loaded.rows)
    row_filter = RowFilter(rows, loaded.common_texts)
    for word in ("?", "db?", "b?1", "产?", "db", "-?"):
        query = _query(word)
        expected = [r.image_name for r in rows if query.matches(r, "")]
        assert [r.image_name for r in row_filter.matching(query, T0).rows] == expected, word
    assert sorted(r.image_name for r in row_filter.matching(_query("db?"), T0).rows) == [
        "db?1"]


def test_a_name_holding_the_column_separator_is_still_matched_as_typed(world: World) -> None:
    for name in ("web\x1edb", "web", "db"):
        world.image(image_name=name)
    loaded = browse.load(world.ctx())
    rows = list(loaded.rows)
    row_filter = RowFilter(rows, loaded.common_texts)
    for word in ("web", "db", "b\x1ed", "-web"):
        query = _query(word)
        expected = [r.image_name for r in rows if query.matches(r, "")]
        assert [r.image_name for r in row_filter.matching(query, T0).rows] == expected, word


def test_terms_decided_per_value_agree_with_each_row(world: World) -> None:
    """Terms on fields with few values (os, arch, usage, type, family, region) are decided
    once per value; every row gets the answer the term gives it alone, negated or with
    alternatives, over every region's rows."""
    for n in range(12):
        world.image(image_name=f"img-{n:02d}", region="cn-hangzhou" if n % 3 else "cn-beijing",
                    architecture="arm64" if n % 2 else "x86_64",
                    image_family="web" if n % 4 else "db",
                    os_type="windows" if n % 5 == 0 else "linux",
                    os_name="Windows Server 2022" if n % 5 == 0 else "Ubuntu 22.04")
    world.public_image()
    loaded = browse.load(world.ctx(), image_rows.ALL_REGIONS)
    rows = list(loaded.rows)
    assert {r.region_id for r in rows} >= {"cn-hangzhou", "cn-beijing"}
    lines = ["os:ubuntu", "os:windows", "-os:linux", "os:ubu,win", "arch:arm64", "-arch:x86",
             "usage:none", "-usage:none", "type:custom", "type:public,custom", "-type:custom",
             "family:we", "-family:db", "family:web,db", "region:cn-b", "-region:cn-hang",
             "region:cn", "os:ubuntu arch:arm64 family:web", "img-0 -os:win region:cn-h"]
    picked = 0
    for line in lines:
        query = _query(line)
        expected = [r.key for r in rows if query.matches(r, "")]
        row_filter = RowFilter(rows, loaded.common_texts)
        assert [r.key for r in row_filter.matching(query, T0).rows] == expected, line
        picked += 0 < len(expected) < len(rows)
    assert picked >= 14  # most terms pick some rows and leave others


@pytest.mark.parametrize("dense", [1, 4, 10**9])
def test_masks_and_positions_find_the_same_rows_as_each_row_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dense: int) -> None:
    """Typed and erased a key at a time, every line gives the rows and counts that
    ``Query.matches`` gives row by row, on every tab: whether results are narrowed as masks
    over every row (``dense`` huge), as positions (1), or as masks until few rows remain."""
    monkeypatch.setattr(row_filter, "DENSE", dense)
    monkeypatch.setattr(row_filter, "FOLDED_AT_ONCE", 7)  # texts folded in many parts
    repo = demo_repository(tmp_path / "catalogue", "tinydb", images=300, random_seed=8)
    loaded = browse.load(make_context(repo))
    rows = list(loaded.rows)
    fresh_filter = RowFilter(loaded.rows, loaded.common_texts)
    typed_filter = RowFilter(loaded.rows, loaded.common_texts)
    typed_filter.warm()
    for typed in ("web os:ubu -v1", "arch:x86 size>=40 a", "-tag:env=prod,env=dev l",
                  "type:custom,public usage:none e", "family:db,web name:v1 -os:win", "区"):
        lines = [typed[:n] for n in range(1, len(typed) + 1)]
        for line in lines + lines[::-1]:
            parsed = parse_filter(line)
            if parsed.error:
                continue
            query = parsed.query
            expected = [r for r in rows if query.matches(r, image_rows.row_state(r, T0)[0])]
            for each in (typed_filter, RowFilter(loaded.rows, loaded.common_texts)):
                got = each.matching(query, T0)
                assert list(got.rows) == expected, line
                assert len(got.rows) == len(expected)
                counts = image_rows.count_kinds([r.kind for r in expected])
                assert {k: v for k, v in got.counts.items() if v} == {
                    k: v for k, v in counts.items() if v}, line
                for kind in ("all", "custom", "shared", "public", "marketplace"):
                    assert list(each.of_kind(got, kind)) == [
                        r for r in expected if kind in ("all", r.kind)], (line, kind)
    assert fresh_filter.matching(Query(), T0).rows == rows
