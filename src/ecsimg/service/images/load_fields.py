"""Typed, bounded reads of untrusted JSON objects, each failure naming where it happened."""

from __future__ import annotations

from typing import Any

MAX_TEXT = 4096
"""Longest text field accepted from a file (a description of the real API is at most 256)."""


class LoadError(Exception):
    """A file that cannot be loaded: the message names the file and the problem."""


class Fields:
    """One JSON object from a file; every getter checks the type and bounds of its field."""

    def __init__(self, raw: Any, source: str, path: str = "") -> None:
        self.source = source
        self.path = path
        """Where the object sits in the file: ``Images.Image[3]``; empty for the top level."""
        if not isinstance(raw, dict):
            raise LoadError(f"{self.where}: expected an object, found {type_name(raw)}")
        self.raw: dict[str, Any] = raw

    @property
    def where(self) -> str:
        return f"{self.source}: {self.path}" if self.path else self.source

    def _value(self, name: str) -> Any:
        # JSON null is treated as absent: some exporters write null for empty fields.
        return self.raw.get(name)

    def problem(self, name: str, detail: str) -> LoadError:
        return LoadError(f"{self.where}: field {name!r} {detail}")

    def text(self, name: str, default: str = "", *, limit: int = MAX_TEXT,
             required: bool = False) -> str:
        value = self._value(name)
        if value is None or value == "":
            if required:
                raise self.problem(name, "is missing")
            return default
        if not isinstance(value, str):
            raise self.problem(name, f"is {type_name(value)}, not a string")
        if len(value) > limit:
            raise self.problem(name, f"is longer than {limit} characters")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str = "", *,
               fold_case: bool = False, required: bool = False) -> str:
        value = self.text(name, default, limit=64, required=required)
        if fold_case:
            by_folded = {c.lower(): c for c in choices}
            value = by_folded.get(value.lower(), value)
        if value not in choices:
            raise self.problem(name, f"is {value[:40]!r}, not one of {', '.join(choices)}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._value(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.problem(name, f"is {type_name(value)}, not true or false")

    def integer(self, name: str, default: int = 0, *, minimum: int = 0,
                maximum: int = 2**53) -> int:
        """An integer, written as a JSON number or as decimal digits (``"Size": "40"``)."""
        value = self._value(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise self.problem(name, "is a boolean, not an integer")
        if isinstance(value, str) and value.strip().isdigit() and len(value) <= 20:
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise self.problem(name, f"is {type_name(value)}, not an integer")
        if not minimum <= value <= maximum:
            raise self.problem(name, f"is {value}, outside {minimum} to {maximum}")
        return value

    def objects(self, outer: str, inner: str) -> list[Fields]:
        """The list at ``outer.inner`` (the API wraps lists: ``Tags.Tag[]``), or []."""
        wrapper = self._value(outer)
        if wrapper is None:
            return []
        if not isinstance(wrapper, dict):
            raise self.problem(outer, f"is {type_name(wrapper)}, not an object")
        items = wrapper.get(inner)
        if items is None:
            return []
        if not isinstance(items, list):
            raise self.problem(f"{outer}.{inner}", f"is {type_name(items)}, not a list")
        prefix = f"{self.path}." if self.path else ""
        return [Fields(item, self.source, f"{prefix}{outer}.{inner}[{n}]")
                for n, item in enumerate(items)]


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
