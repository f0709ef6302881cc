from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from ecsimg.domain.filtering import parse_filter


@dataclass
class Row:
    name: str = "web-01"
    search_text: str = "web-01\nm-abc\nalibaba cloud linux 3\ns-snap1"
    os_type: str = "linux"
    os_text: str = "alibaba cloud linux 3\naliyun\nlinux"
    platform: str = "Aliyun"
    architecture: str = "x86_64"
    family: str = "web"
    tags: Sequence[tuple[str, str]] = field(default_factory=lambda: [("env", "prod")])
    usage: str = "none"
    size: int = 40
    kind: str = "custom"
    region_id: str = "cn-hangzhou"


def matches(line: str, row: Row | None = None, status: str = "Available") -> bool:
    parsed = parse_filter(line)
    assert parsed.error == "", parsed.error
    return parsed.query.matches(row or Row(), status)


def test_empty_line_matches_everything() -> None:
    parsed = parse_filter("   ")
    assert parsed.query.is_empty
    assert parsed.query.matches(Row(), "Available")


def test_free_text_is_case_insensitive_and_all_words_must_match() -> None:
    assert matches("WEB")
    assert matches("web s-snap1")
    assert not matches("web windows")


def test_quoted_words_keep_spaces() -> None:
    assert matches('"cloud linux"')
    assert not matches('"linux cloud"')


@pytest.mark.parametrize(("line", "expected"), [
    ("os:linux", True), ("os:windows", False), ("os:aliyun", True),
    ("arch:x86_64", True), ("arch:amd64", True), ("arch:arm64", False),
    ("family:we", True), ("family:db", False),
    ("tag:env=prod", True), ("tag:env=dev", False), ("tag:env", True), ("tag:team", False),
    ("usage:none", True), ("usage:instance", False),
    ("size>40", False), ("size>=40", True), ("size<41", True), ("size<=39", False),
    ("size:40", True), ("size=41", False),
    ("type:custom", True), ("type:public", False), ("type:all", True),
    ("region:cn-", True), ("region:ap-", False), ("region:", True),
])
def test_field_terms(line: str, expected: bool) -> None:
    assert matches(line) is expected


@pytest.mark.parametrize("line", ["os:web", "os:snap1", "os:m-abc"])
def test_os_term_matches_os_fields_only(line: str) -> None:
    """Free text in the name, ID or snapshot IDs is no match for an OS term."""
    assert not matches(line)
    assert matches(line.removeprefix("os:"))


def test_os_term_does_not_match_a_red_inside_a_name() -> None:
    shared = Row(search_text="shared-redis\nm-1\nubuntu 22.04", os_text="ubuntu 22.04\nubuntu")
    assert not matches("os:red", shared)
    assert matches("os:red", Row(os_text="red hat enterprise linux 9\nredhat\nlinux"))


def test_status_term_uses_the_live_status() -> None:
    assert matches("status:creating", status="Creating")
    assert not matches("status:creating", status="Available")
    assert matches("status:CreateFailed", status="CreateFailed")


def test_terms_combine_with_free_text() -> None:
    assert matches("web os:linux size>30 tag:env=prod")
    assert not matches("web os:linux size>50")


@pytest.mark.parametrize(("line", "fragment"), [
    ("size>big", "whole number"),
    ("arch:sparc", "unknown architecture"),
    ("status:running", "unknown status"),
    ("usage:often", "usage is none or instance"),
    ("type:private", "unknown type"),
    ("colour:red", "unknown filter field"),
    ("os>3", "takes ':'"),
    ("tag:", "tag needs a key"),
    ('"open quote', "unbalanced quote"),
])
def test_bad_terms_give_a_message_not_an_exception(line: str, fragment: str) -> None:
    parsed = parse_filter(line)
    assert fragment in parsed.error


def test_a_bad_term_leaves_the_good_parts_working() -> None:
    parsed = parse_filter("web arch:sparc size>100")
    assert parsed.error
    assert not parsed.query.matches(Row(), "Available")  # size>100 still applies
    assert parse_filter("web arch:sparc").query.matches(Row(), "Available")


def test_control_characters_and_unicode_do_not_raise() -> None:
    for line in ("\x1b[31m", "中文 tag:环境=生产", "\x00", "size>" + "9" * 400, "''"):
        parse_filter(line)
