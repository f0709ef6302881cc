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


def test_every_demo_image_s_counts_agree_in_list_pane_and_api(
        demo_ctx: service.Context) -> None:
    """The list's share count and usage, the pane's shares and instances, and the API's
    DescribeImageSharePermission and ImageUsage say the same of every image."""
    rows = browse.load(demo_ctx).rows
    assert len(rows) > 50
    own = 0
    for row in rows:
        details = browse.details(demo_ctx, row)
        # Community and Marketplace images are listed only when asked for.
        alias = {"community": {"ImageOwnerAlias": "others", "IsPublic": "true"},
                 "marketplace": {"ImageOwnerAlias": "marketplace"}}.get(row.kind, {})
        described = service.call(demo_ctx, "DescribeImages", {
            "RegionId": row.image.region_id, "ImageId": row.image_id,
            "Status": "Available,Creating,Waiting,UnAvailable,CreateFailed,Deprecated",
            "ShowExpired": "true", **alias})["Images"]["Image"]
        assert len(described) == 1, row.image_id
        assert described[0]["Usage"] == row.usage, row.image_id
        assert (row.usage == "instance") == bool(details.instances) or row.kind != "custom"
        if row.kind == "custom" and row.image.owner_id == demo_ctx.account_id:
            own += 1
            granted = service.call(demo_ctx, "DescribeImageSharePermission", {
                "RegionId": row.image.region_id, "ImageId": row.image_id, "PageSize": "100"})
            accounts = {a["AliyunId"] for a in granted["Accounts"]["Account"]}
            assert row.share_count == len(details.shares) == len(accounts) == granted[
                "TotalCount"], row.image_id
            assert {s.account_id for s in details.shares} == accounts
    assert own > 10
