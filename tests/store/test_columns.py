"""Projections kept as columns (``store.columns``): what is decoded is what was extracted, a
field of few values is kept once per value, and a group is its own documents."""

from __future__ import annotations

from typing import Any

import orjson

from ecsimg.service.reads.row_table import per_distinct
from ecsimg.store.columns import Column, decode, encode, kept, plain

ROWS: list[list[Any]] = [
    ["m-1", "cn-hangzhou", 1, [["env", "prod"]], True, 2.5],
    ["m-2", "cn-shanghai", 1.0, [], False, 2.5],
    ["m-3", "cn-hangzhou", True, [["env", "prod"]], True, None],
    ["m-4", "cn-hangzhou", 1, [], True, 2.5],
    ["m-5", "cn-shanghai", 1, [["env", "prod"]], True, 2.5],
    ["m-6", "cn-hangzhou", 1, [], True, 2.5],
]
GROUPS = [row[1] for row in ROWS]


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
