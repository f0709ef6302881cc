"""The details pane keeps its lines in place from one image to the next, whatever its kind, so
a cursor move repaints only the values that changed (bytes over SSH)."""

from __future__ import annotations

from ecsimg import service
from ecsimg.i18n import set_language, t
from ecsimg.service.reads import browse
from ecsimg.ui.widgets.details import details_text


def _labels(lines: list[str]) -> list[str]:
    """The label column of each line up to the first blank one (the fields, before the lists
    whose length varies: disks, tags, shares, instances)."""
    fields = lines[1:lines.index("")] if "" in lines else lines[1:]
    return [line[:15].rstrip() for line in fields]


def test_every_kind_of_image_has_the_same_fields_on_the_same_lines(
        demo_ctx: service.Context) -> None:
    rows = browse.load(demo_ctx).rows
    layouts: dict[tuple[str, ...], set[str]] = {}
    for row in rows:
        lines = details_text(browse.details(demo_ctx, row)).plain.split("\n")
        layouts.setdefault(tuple(_labels(lines)), set()).add(row.kind)
    kinds = {row.kind for row in rows}
    assert {"public", "custom", "shared", "marketplace", "community"} <= kinds
    assert len(layouts) == 1, {layout: sorted(k) for layout, k in layouts.items()}
    (layout,) = layouts
    assert "Owner" in layout and "Product" in layout


def test_the_usage_is_worded_in_the_ui_s_language(demo_ctx: service.Context) -> None:
    """ImageUsage is the API's word (instance, none) in English, the console's in Chinese."""
    rows = browse.load(demo_ctx).rows
    by_usage = {row.usage: row for row in rows}
    assert {"instance", "none"} <= set(by_usage)
    for language, words in (("en", {"instance": "instance", "none": "none"}),
                            ("zh-CN", {"instance": "实例使用中", "none": "未使用"})):
        set_language(language)
        for usage, word in words.items():
            lines = details_text(browse.details(demo_ctx, by_usage[usage])).plain.split("\n")
            assert next(line for line in lines if line.startswith(
                t("field.usage"))).split()[-1] == word
