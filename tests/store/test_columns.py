"""Projections kept as columns (``store.columns``): what is decoded is what was extracted, a
field of few values is kept once per value, and a group is its own documents."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from ecsimg.service.reads.row_table import per_distinct
from ecsimg.store.columns import (
    Accepted,
    Column,
    ListOf,
    coded,
    decode,
    encode,
    kept,
    plain,
)

ROWS: list[list[Any]] = [
    ["m-1", "cn-hangzhou", 1, [["env", "prod"]], True, 2.5],
    ["m-2", "cn-shanghai", 1.0, [], False, 2.5],
    ["m-3", "cn-hangzhou", True, [["env", "prod"]], True, None],
    ["m-4", "cn-hangzhou", 1, [], True, 2.5],
    ["m-5", "cn-shanghai", 1, [["env", "prod"]], True, 2.5],
    ["m-6", "cn-hangzhou", 1, [], True, 2.5],
]
GROUPS = [row[1] for row in ROWS]
TEXT = frozenset({str})
TYPES: tuple[Accepted, ...] = (TEXT, TEXT, frozenset({int, float, bool}),
                               ListOf(ListOf((TEXT, TEXT))), frozenset({bool}),
                               frozenset({float, type(None)}))
"""The types of ``ROWS``' fields, tags as lists of (key, value) pairs."""


def _through_json(group: str | None) -> list[Column]:
    found = decode(orjson.loads(orjson.dumps(encode(ROWS, GROUPS, 6))), 6, group)
    assert found is not None
    return found


def _rows(columns: list[Column]) -> list[list[Any]]:
    return [list(row) for row in zip(*[c.values for c in columns], strict=True)]


def test_every_document_comes_back_with_its_values_and_their_types() -> None:
    found = _rows(_through_json(None))
    assert sorted(found, key=lambda row: row[0]) == ROWS
    by_id = {row[0]: row for row in found}
    # 1, 1.0 and True are equal in Python but kept apart, as JSON has them.
    assert [type(by_id[f"m-{n}"][2]) for n in (1, 2, 3)] == [int, float, bool]


def test_a_field_of_few_values_is_kept_once_per_value() -> None:
    columns = _through_json(None)
    tags, names = columns[3], columns[0]
    assert tags.distinct is not None and tags.codes is not None and len(tags.distinct) == 2
    assert all(value is tags.distinct[code] for value, code in zip(tags.values, tags.codes,
                                                                     strict=True))
    assert names.distinct is None and names.codes is None  # every value differs
    assert tags.keys() == tags.codes


def test_a_group_is_a_slice_of_its_own_documents() -> None:
    assert sorted(row[0] for row in _rows(_through_json("cn-shanghai"))) == ["m-2", "m-5"]
    assert sorted(row[0] for row in _rows(_through_json("cn-hangzhou"))) == [
        "m-1", "m-3", "m-4", "m-6"]
    empty = _through_json("us-east-1")
    assert len(empty) == 6 and all(column.values == [] for column in empty)


def test_documents_kept_by_a_mask_keep_their_codes() -> None:
    tags = _through_json(None)[3]
    some = kept(tags, [True, False, True, False, True, False])
    assert some.codes is not None and some.distinct is tags.distinct
    assert some.values == [tags.values[0], tags.values[2], tags.values[4]]


def test_work_per_distinct_value_agrees_with_work_per_row() -> None:
    calls: list[tuple[Any, ...]] = []

    def work(*values: Any) -> str:
        calls.append(values)
        return repr(values)

    for columns in (_through_json(None), plain(ROWS, 6)):
        calls.clear()
        chosen = [columns[1], columns[3], columns[4]]
        got = per_distinct(work, *chosen)
        rows = list(zip(*[c.values for c in chosen], strict=True))
        assert got == [repr(row) for row in rows]
        assert len(calls) == len({orjson.dumps(row) for row in rows}) < len(rows)
    assert per_distinct(str.upper, Column(["a", "b", "a"])) == ["A", "B", "A"]


@pytest.mark.parametrize("most", [None, 5])
def test_values_are_coded_by_their_distinct_values_in_order_of_first_appearance(
        most: int | None) -> None:
    values: list[Any] = ["b", 1, None, 1.0, "a", True, None, "b", ("x", 1), ("x", True)]
    found = coded(values) if most is None else coded(values, most)
    assert found is not None
    # 1, 1.0 and True are one value, the first of them; so are ("x", 1) and ("x", True).
    assert found.distinct == ["b", 1, None, "a", ("x", 1)]
    assert [type(value) for value in found.distinct] == [str, int, type(None), str, tuple]
    assert found.codes == [0, 1, 2, 1, 3, 1, 2, 0, 4, 4]
    assert found.first_rows() == [0, 1, 2, 4, 8]
    assert coded(values, 3) is None  # five distinct values: more than three
    assert coded([]).distinct == coded([]).codes == coded([]).first_rows() == []


def test_first_rows_of_more_values_than_a_byte_holds() -> None:
    values = [n // 2 for n in range(1000)][::-1]  # 500 values, each twice, the last first
    found = coded(values)
    assert found.distinct == list(range(499, -1, -1))
    assert found.codes == [n // 2 for n in range(1000)]
    assert found.first_rows() == list(range(0, 1000, 2))
    assert coded(values, 499) is None


def _stored(rows: list[list[Any]], coded: bool) -> dict[str, Any]:
    """``rows`` stored, through JSON, each column plain or with distinct values and codes."""
    columns: list[Any] = []
    for values in zip(*rows, strict=True):
        if coded:
            keys = {orjson.dumps(v): v for v in values}
            order = list(keys)
            columns.append({"distinct": list(keys.values()),
                            "codes": [order.index(orjson.dumps(v)) for v in values]})
        else:
            columns.append(list(values))
    stored: dict[str, Any] = orjson.loads(orjson.dumps({"groups": [["", len(rows)]],
                                                         "columns": columns}))
    return stored


@pytest.mark.parametrize("coded", [False, True])
def test_values_of_the_declared_types_are_decoded(coded: bool) -> None:
    found = decode(_stored(ROWS, coded), 6, None, TYPES)
    assert found is not None and _rows(found) == ROWS
    assert decode(encode([], [], 6), 6, None, TYPES) is not None  # no documents


@pytest.mark.parametrize("coded", [False, True])
@pytest.mark.parametrize(("field", "wrong"), [
    (0, 7), (0, ["m-7"]), (0, None),  # text
    (2, "1"), (2, None), (2, [1]),  # a number (int, float or bool)
    (3, "env=prod"), (3, [["env"]]), (3, [["env", "prod", "x"]]), (3, [["env", 1]]),
    (3, ["env", "prod"]), (3, [("env", "prod"), 1]),  # lists of pairs of text
    (4, 1), (4, "true"), (4, None),  # bool alone: not 1, not 'true'
    (5, 2), (5, True), (5, "2.5"),  # a float or None: not an int, not a bool
])
def test_a_value_of_another_type_makes_the_stored_form_unusable(
        coded: bool, field: int, wrong: Any) -> None:
    rows = [list(row) for row in ROWS]
    rows[3][field] = wrong
    stored = _stored(rows, coded)
    assert decode(stored, 6, None, TYPES) is None
    assert decode(stored, 6, "cn-hangzhou", TYPES) is None  # whichever group is read
    assert decode(stored, 6, None) is not None  # its shape is right


def test_exact_types_tell_apart_what_python_finds_equal() -> None:
    ints: tuple[Accepted, ...] = (frozenset({int}),)
    assert decode(_stored([[1], [2]], False), 1, None, ints) is not None
    assert decode(_stored([[1], [True]], False), 1, None, ints) is None
    assert decode(_stored([[1], [1.0]], True), 1, None, ints) is None
    assert decode(_stored([[1], [True]], False), 1, None, (frozenset({int, bool}),)) is not None
