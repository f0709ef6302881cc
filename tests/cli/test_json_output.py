"""The API's JSON is written as ``json.dumps(body, indent=2, ensure_ascii=False)`` writes it."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from ecsimg.cli.output import to_json


def _reference(body: Any) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("body", [
    {"Size": 1e-05}, {"Size": -2.5e-07}, {"Big": 1.5e+20}, {"List": [1, 2e-09, 3]},
    {"Nested": {"Deep": [[4.0e+30]]}}, [1e-10], 1e-05,
    {"ImageId": "m-2e3e9e1e0e", "Name": "v3e 9e-1", "Note": "ratio: 3e", "Text": "\n  5e"},
    {"Name": "名前 1e5", "Float": 0.5, "Int": 10, "Null": None, "NaN": float("nan")},
    {"Empty": {}, "EmptyList": [], "True": True},
])
def test_bodies_are_written_as_json_writes_them(body: Any) -> None:
    assert to_json(body) == _reference(body)


def test_random_bodies_are_written_as_json_writes_them() -> None:
    rng = random.Random(5)

    def value(depth: int) -> Any:
        kind = rng.randrange(7 if depth < 3 else 4)
        if kind == 0:
            return rng.choice([rng.random() * 10 ** rng.randrange(-12, 25), rng.randrange(-99, 99),
                               -rng.random() / 10 ** rng.randrange(0, 12)])
        if kind == 1:
            return "".join(rng.choice("0123456789e.-: \n\"名x") for _ in range(rng.randrange(9)))
        if kind == 2:
            return rng.choice([True, False])
        if kind == 3:
            return f"m-{rng.randrange(10 ** 12)}e{rng.randrange(99)}"
        if kind in (4, 5):
            return {f"K{i}": value(depth + 1) for i in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    for _ in range(2000):
        body = {"Images": value(0), "RequestId": "0E5D1C2B"}
        assert to_json(body) == _reference(body)
