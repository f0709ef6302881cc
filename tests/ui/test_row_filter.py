from __future__ import annotations

from ecsimg.domain import models as m
from ecsimg.domain.filtering import Query, parse_filter
from ecsimg.service import browse
from ecsimg.service.row_filter import RowFilter, narrows
from tests.world import T0, World


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
        expected = browse.select(rows, query, "all", T0)
        assert got.rows == expected, line
        assert [r.key for r in expected] == [r.key for r in rows if query.matches(r, "")], line
        assert got.counts == browse.count_kinds(expected)
