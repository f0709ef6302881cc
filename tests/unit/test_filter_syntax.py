"""Negation, alternatives (OR) and quoted values in the filter line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecsimg.domain.filtering import Query, Term, parse_filter


@dataclass
class Row:
    name: str = "web server 01"
    search_text: str = "web server 01\nm-abc\nubuntu 22.04\ns-snap1"
    os_type: str = "linux"
    os_text: str = "ubuntu 22.04\nubuntu\nlinux"
    platform: str = "Ubuntu"
    architecture: str = "x86_64"
    family: str = "web"
    tags: Sequence[tuple[str, str]] = field(default_factory=lambda: [("env", "prod")])
    usage: str = "none"
    size: int = 40
    kind: str = "custom"
    region_id: str = "cn-hangzhou"


DEBIAN = Row(name="db", search_text="db\nm-def\ndebian 12", os_text="debian 12\ndebian\nlinux",
             platform="Debian", tags=[("env", "dev")], size=100)
WINDOWS = Row(name="win", search_text="win\nm-win\nwindows server 2022",
              os_type="windows", os_text="windows server 2022\nwindows\nwindows",
              platform="Windows Server 2022", tags=[], kind="public")
ROWS = (Row(), DEBIAN, WINDOWS)


def names(line: str) -> list[str]:
    parsed = parse_filter(line)
    assert parsed.error == "", parsed.error
    return [row.name for row in ROWS if parsed.query.matches(row, "Available")]


@pytest.mark.parametrize(("line", "expected"), [
    ("-os:windows", ["web server 01", "db"]),
    ("!os:windows", ["web server 01", "db"]),
    ("!tag:env=prod", ["db", "win"]),
    ("-tag:env", ["win"]),
    ("tag:env=dev,team", ["db"]),  # a key=value and a bare key as alternatives
    ("tag:team,env=prod", ["web server 01"]),
    ("-web", ["db", "win"]),
    ("!m-win", ["web server 01", "db"]),
    ("os:ubuntu,debian", ["web server 01", "db"]),
    ("os:ubuntu,", ["web server 01"]),  # a trailing comma while the next value is typed
    ("-os:ubuntu,debian", ["win"]),
    ("size:40,100", ["web server 01", "db", "win"]),
    ("size:100,5", ["db"]),
    ("type:public,shared", ["win"]),
    ("type:shared,all", ["web server 01", "db", "win"]),
    ("arch:arm64,x86_64", ["web server 01", "db", "win"]),
    ("-arch:arm64,x86_64", []),
    ("usage:instance,none -type:custom", ["win"]),
    ('name:"web server"', ["web server 01"]),
    ("name:'server 0'", ["web server 01"]),
    ('-name:"web server"', ["db", "win"]),
    ('"server 01"', ["web server 01"]),
    ('-"server 01"', ["db", "win"]),
    ("-", ["web server 01", "db", "win"]),  # a lone sign: the rest is still being typed
    ("m- -os:debian size<50", ["web server 01", "win"]),
])
def test_negation_alternatives_and_quotes(line: str, expected: list[str]) -> None:
    assert names(line) == expected


@pytest.mark.parametrize(("line", "fragment"), [
    ("-os:", "os: needs a value"),
    ("size>10,20", "size> takes one number"),
    ("os:ubuntu,arch:x86", ""),  # a comma inside a value is an alternative, not a new term
    ("arch:arm,sparc", "unknown architecture 'sparc'"),
    ("!colour:red", "unknown filter field"),
])
def test_bad_alternatives_name_the_problem(line: str, fragment: str) -> None:
    assert fragment in parse_filter(line).error


_WORD = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
                min_size=1, max_size=8)
_FREE = _WORD.filter(lambda w: ":" not in w and "=" not in w and "<" not in w and ">" not in w
                     and w == w.casefold() and not w.startswith(("-", "!")))
_TEXT_VALUE = st.text("abcdef xyz-._", min_size=1, max_size=8).filter(
    lambda v: v.strip() == v and v and "," not in v and not v.startswith(("-", "!")))
_TERMS = st.one_of(
    st.builds(lambda f, vs, n: Term(f, ":", tuple(dict.fromkeys(vs)), n),
              st.sampled_from(["os", "family", "name"]), st.lists(_TEXT_VALUE, min_size=1,
                                                                   max_size=3), st.booleans()),
    st.builds(lambda vs, n: Term("arch", ":", tuple(dict.fromkeys(vs)), n),
              st.lists(st.sampled_from(["x86_64", "arm64", "i386"]), min_size=1, max_size=3),
              st.booleans()),
    st.builds(lambda op, v, n: Term("size", op, (str(v),), n),
              st.sampled_from([">", ">=", "<", "<=", "="]), st.integers(0, 2048),
              st.booleans()),
    st.builds(lambda pairs, n: Term("tag", ":", tuple(dict.fromkeys(
                  f"{k}={v}" if v else k for k, v in pairs)), n),
              st.lists(st.tuples(st.text("abcXYZ", min_size=1, max_size=5),
                                 st.text("prodév ", max_size=5)), min_size=1, max_size=3),
              st.booleans()),
)
_QUERIES = st.builds(lambda w, t, x: Query(tuple(w), tuple(t), tuple(x)),
                     st.lists(_FREE, max_size=3), st.lists(_TERMS, max_size=4),
                     st.lists(_FREE, max_size=2))


@given(_QUERIES)
def test_a_query_written_out_parses_back_to_itself(query: Query) -> None:
    parsed = parse_filter(query.text())
    assert parsed.error == ""
    assert parsed.query == query


@given(_TERMS, st.sampled_from(ROWS), st.sampled_from(["Available", "Creating"]))
def test_a_negated_term_matches_exactly_the_rows_the_term_does_not(
        term: Term, row: Row, status: str) -> None:
    positive = Term(term.field, term.op, term.values, False)
    negative = Term(term.field, term.op, term.values, True)
    assert negative.matches(row, status) is not positive.matches(row, status)
    line = parse_filter(positive.text()).query
    assert Query(terms=(negative,)).matches(row, status) is not line.matches(row, status)


@given(_FREE, st.sampled_from(ROWS))
def test_an_excluded_word_matches_exactly_the_rows_the_word_does_not(
        word: str, row: Row) -> None:
    excluded = parse_filter(Query(excluded=(word,)).text())
    included = parse_filter(Query(words=(word,)).text())
    assert excluded.error == included.error == ""
    assert excluded.query.matches(row, "") is not included.query.matches(row, "")
