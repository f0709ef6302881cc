"""Request parameters in the aliyun CLI's flat form (``Tag.1.Key``), declared per action."""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecsimg.domain.errors import ApiError, invalid, missing

MAX_VALUE_LENGTH = 65536
_INTEGER = re.compile(r"[+-]?[0-9]{1,4000}\Z")


class UnknownParameter(Exception):
    """A parameter name the action does not take: a usage error, not an API error."""


@dataclass(frozen=True)
class Param:
    """One parameter; ``N`` in the name stands for a 1-based index (``AddAccount.N``)."""

    name: str
    kind: type = str
    required: bool = False
    ignored: bool = False
    """Sent by the official SDK but not modelled: accepted, and it changes nothing."""

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.name)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(name: str) -> re.Pattern[str]:
    found = _PATTERNS.get(name)
    if found is None:
        parts = [r"([1-9][0-9]{0,5})" if p == "N" else re.escape(p) for p in name.split(".")]
        found = _PATTERNS[name] = re.compile(r"\.".join(parts) + r"\Z")
    return found


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


COMMON = (
    Param("RegionId"),
    Param("OwnerId"),
    Param("OwnerAccount"),
    Param("ResourceOwnerId"),
    Param("ResourceOwnerAccount"),
)


_INDEX = re.compile(r"(?<=\.)[0-9]+(?=\.|\Z)")


def shape(name: str) -> str:
    """The name with every index segment written ``N``: ``Tag.3.Key`` is ``Tag.N.Key``."""
    return _INDEX.sub("N", name)


class ParamSpec(tuple[Param, ...]):
    """An action's parameters, looked up by name in one dictionary step."""

    _by_shape: dict[str, Param]

    def find(self, name: str) -> Param | None:
        by_shape = self.__dict__.get("_by_shape")
        if by_shape is None:
            by_shape = self._by_shape = {}
            for param in self:
                by_shape.setdefault(param.name, param)
        found = by_shape.get(name)
        if found is not None and "N" not in found.name.split("."):
            return found
        found = by_shape.get(shape(name))
        # The pattern bounds each index to 1-999999 without leading zeros.
        if found is not None and found.pattern.match(name):
            return found
        return None


def match(spec: tuple[Param, ...], name: str) -> Param | None:
    if isinstance(spec, ParamSpec):
        return spec.find(name)
    for param in spec:
        if param.pattern.match(name):
            return param
    return None


class Request:
    """Typed access to an action's flat string parameters; bad values raise ApiError."""

    payload: Any = None
    """Structured input beside the parameters (the parsed files of a load), else None."""

    def __init__(
        self,
        action: builtins.str,
        spec: tuple[Param, ...],
        raw: Mapping[builtins.str, builtins.str],
    ) -> None:
        self.action = action
        self.spec = spec
        self.raw: dict[builtins.str, builtins.str] = {}
        self.ignored: dict[builtins.str, builtins.str] = {}
        """The SDK names the simulator does not model; kept apart so that no rule sees them."""
        for name, value in raw.items():
            param = match(spec, name)
            if param is None:
                raise UnknownParameter(f"{action} does not take the parameter --{name}")
            if not isinstance(value, str):
                value = str(value)
            if len(value) > MAX_VALUE_LENGTH:
                raise invalid(name, f"longer than {MAX_VALUE_LENGTH} characters")
            if not _is_utf8(value):
                # Undecodable command-line bytes arrive as lone surrogates, which no record
                # or JSON document can hold.
                raise invalid(name, "not valid UTF-8 text")
            (self.ignored if param.ignored else self.raw)[name] = value
        for param in spec:
            if param.required and "N" not in param.name.split(".") and not self.raw.get(param.name):
                raise missing(param.name)
        # The declared kind is the parameter's type: a value that is not of it is refused
        # here, whether or not the handler reads the parameter.
        for name in self.raw:
            kind = self._kind(name)
            if kind is not builtins.str:
                _CONVERTERS[kind](self, name)

    def _kind(self, name: builtins.str) -> type:
        param = match(self.spec, name)
        return param.kind if param is not None else builtins.str

    def _read_as(self, name: builtins.str, kind: type) -> None:
        """Refuse to read a parameter as another type than it is declared with."""
        declared = self._kind(name)
        if declared is not kind:
            raise TypeError(f"{self.action}: {name} is declared {declared.__name__}, "
                            f"read as {kind.__name__}")

    def has(self, name: builtins.str) -> builtins.bool:
        return name in self.raw and self.raw[name] != ""

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        value = self.raw.get(name)
        return default if value is None or value == "" else value

    def required(self, name: builtins.str) -> builtins.str:
        value = self.raw.get(name, "")
        if value == "":
            raise missing(name)
        return value

    def int(self, name: builtins.str, default: builtins.int | None = None) -> builtins.int | None:
        self._read_as(name, builtins.int)
        value = self.raw.get(name, "")
        if value == "":
            return default
        # int() would also take other scripts' digits ("٤٠") and "1_000"; the API takes neither.
        if not _INTEGER.match(value.strip()):
            raise invalid(name, f"{value!r} is not an integer")
        return int(value.strip())

    def int_or(self, name: builtins.str, default: builtins.int) -> builtins.int:
        value = self.int(name, default)
        assert value is not None
        return value

    def float(
        self, name: builtins.str, default: builtins.float | None = None
    ) -> builtins.float | None:
        self._read_as(name, builtins.float)
        value = self.raw.get(name, "")
        if value == "":
            return default
        try:
            number = float(value.strip())
        except ValueError:
            raise invalid(name, f"{value!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise invalid(name, f"{value!r} is not a finite number")
        return number

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        self._read_as(name, builtins.bool)
        value = self.raw.get(name, "")
        if value == "":
            return default
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise invalid(name, f"{value!r} is not true or false")

    def indexed(self, prefix: builtins.str) -> list[tuple[builtins.int, builtins.str]]:
        """``Prefix.N`` values as (N, value), in N order."""
        pattern = _pattern(f"{prefix}.N")
        found = []
        for name, value in self.raw.items():
            hit = pattern.match(name)
            if hit:
                found.append((int(hit.group(1)), value))
        return sorted(found)

    def records(
        self, prefix: builtins.str
    ) -> list[tuple[builtins.int, dict[builtins.str, builtins.str]]]:
        """``Prefix.N.Field`` values grouped by N, in N order."""
        pattern = re.compile(re.escape(prefix) + r"\.([1-9][0-9]{0,5})\.([A-Za-z]+)\Z")
        groups: dict[int, dict[builtins.str, builtins.str]] = {}
        for name, value in self.raw.items():
            hit = pattern.match(name)
            if hit:
                groups.setdefault(int(hit.group(1)), {})[hit.group(2)] = value
        return sorted(groups.items())

    def json_list(self, name: builtins.str) -> list[builtins.str] | None:
        """A parameter holding a JSON array of strings (``InstanceIds``), or None if absent."""
        import json

        value = self.raw.get(name, "")
        if value == "":
            return None
        try:
            parsed: Any = json.loads(value)
        except ValueError:
            raise invalid(name, "not a JSON array of strings") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise invalid(name, "not a JSON array of strings")
        return parsed

    def choice(
        self,
        name: builtins.str,
        choices: tuple[builtins.str, ...],
        error: ApiError | None = None,
        default: builtins.str = "",
    ) -> builtins.str:
        value = self.str(name, default)
        if value and value not in choices:
            raise error or invalid(name, f"{value!r} is not one of {', '.join(choices)}")
        return value


_CONVERTERS: dict[type, Any] = {
    builtins.int: Request.int, builtins.float: Request.float, builtins.bool: Request.bool,
}

MAX_PAGE_SIZE = 100


def paging(req: Request) -> tuple[int, int]:
    """(PageNumber, PageSize): PageNumber from 1 (default 1), PageSize 1-100 (default 10)."""
    page_number = req.int_or("PageNumber", 1)
    page_size = req.int_or("PageSize", 10)
    if page_number < 1:
        raise invalid("PageNumber", "it must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        # Rule 2: the real code for an oversized page is unconfirmed; InvalidParameter is chosen.
        raise invalid("PageSize", f"it must be between 1 and {MAX_PAGE_SIZE}")
    return page_number, page_size
