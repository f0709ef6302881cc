"""The filter line: free text plus ``field:value`` terms, parsed once and matched per image.

A leading ``-`` or ``!`` negates a word or term, commas give a field alternatives (OR), and
quotes keep spaces in a value: ``-os:windows os:ubuntu,debian name:"web server"``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

KINDS = ("all", "public", "custom", "shared", "marketplace", "community")
STATUSES = {s.lower(): s for s in
            ("Available", "Creating", "Waiting", "UnAvailable", "CreateFailed", "Deprecated")}
ARCH_ALIASES = {"x86_64": "x86_64", "x86": "x86_64", "x64": "x86_64", "amd64": "x86_64",
                "arm64": "arm64", "arm": "arm64", "aarch64": "arm64", "i386": "i386",
                "x86_32": "i386", "i686": "i386"}
USAGES = ("none", "instance")
FIELDS = ("name", "os", "arch", "status", "family", "tag", "usage", "size", "type", "region")
_TERM = re.compile(r"^([a-z]+)(>=|<=|:|>|<|=)(.*)$", re.IGNORECASE)
_SIZE_OPS = (">=", "<=", ">", "<", "=", ":")


class Filterable(Protocol):
    """What a filter reads of an image row (the browse layer's rows provide it)."""

    @property
    def search_text(self) -> str:
        """Name, ID, snapshot IDs, OS names and description, casefolded, for free text."""
        ...

    @property
    def name(self) -> str: ...

    @property
    def os_type(self) -> str: ...

    @property
    def os_text(self) -> str:
        """The OS names (Chinese and English), platform and OS type, casefolded."""
        ...

    @property
    def platform(self) -> str: ...

    @property
    def architecture(self) -> str: ...

    @property
    def family(self) -> str: ...

    @property
    def tags(self) -> Sequence[tuple[str, str]]: ...

    @property
    def usage(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def region_id(self) -> str: ...


Predicate = Callable[[Filterable, str], bool]
"""Whether an item with a live status passes a term."""


@dataclass(frozen=True, slots=True)
class Term:
    """One ``field op value[,value…]`` term: any value matches (OR); ``negated`` inverts it.

    Values are casefolded except for tags.
    """

    field: str
    op: str
    values: tuple[str, ...]
    negated: bool = False

    def matches(self, item: Filterable, status: str) -> bool:
        return self.predicate()(item, status)

    def predicate(self) -> Predicate:
        """A function of (item, live status) with the values bound: made once per filter,
        called per row (100,000 of them)."""
        singles = [_value_predicate(self.field, self.op, value) for value in self.values]
        if self.field == "os":
            hit = _os_predicate(self.values)
        elif self.field in _EXACT and len(self.values) > 1 and "all" not in self.values:
            wanted, read = frozenset(self.values), _EXACT[self.field]
            hit = lambda item, _: read(item) in wanted  # noqa: E731 (bound once, called per row)
        elif len(singles) == 1:
            hit = singles[0]
        else:
            def hit(item: Filterable, status: str) -> bool:
                return any(single(item, status) for single in singles)
        if not self.negated:
            return hit

        def negated(item: Filterable, status: str) -> bool:
            return not hit(item, status)
        return negated

    def text(self) -> str:
        """The term as it would be typed (parsing it gives this term back)."""
        sign = "-" if self.negated else ""
        op = ":" if self.field == "size" and self.op == "=" else self.op
        if self.field == "tag":
            op = ":"
        return f"{sign}{self.field}{op}{_quoted(','.join(self.values))}"


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: every word and every term must match (AND); no excluded word may."""

    words: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    excluded: tuple[str, ...] = ()
    """Negated free text (``-word``): rows whose text holds any of these fail."""

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.terms and not self.excluded

    @property
    def needs_status(self) -> bool:
        """Whether matching reads the live status (so callers compute it only then)."""
        return any(term.field == "status" for term in self.terms)

    def matches(self, item: Filterable, status: str) -> bool:
        """Whether ``item`` (whose live status is ``status``) passes every word and term."""
        text = item.search_text
        if any(word not in text for word in self.words):
            return False
        if any(word in text for word in self.excluded):
            return False
        return all(term.predicate()(item, status) for term in self.terms)

    def text(self) -> str:
        """The query as a filter line (parsing it gives this query back)."""
        parts = [_quoted(word) for word in self.words]
        parts += ["-" + _quoted(word) for word in self.excluded]
        parts += [term.text() for term in self.terms]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class ParsedFilter:
    """The query of every good part of the line, and a message about the first bad part."""

    query: Query
    error: str = ""


NEGATIONS = ("-", "!")
"""A token starting with one of these is negated: ``-os:windows``, ``!tag:env=prod``."""


def parse_filter(line: str) -> ParsedFilter:
    """Parse the filter line; a bad term is reported in ``error`` and left out of the query."""
    try:
        tokens = shlex.split(line)
    except ValueError:
        tokens = line.replace('"', " ").replace("'", " ").split()
        return ParsedFilter(_query(tokens)[0], "unbalanced quote in the filter")
    query, error = _query(tokens)
    return ParsedFilter(query, error)


def _quoted(text: str) -> str:
    """``text`` as one shell-like token (quoted when it holds spaces, quotes or is empty)."""
    if text and not any(c.isspace() or c in "\"'\\" for c in text) \
            and not text.startswith(NEGATIONS):
        return text
    return shlex.quote(text)


def _query(tokens: list[str]) -> tuple[Query, str]:
    words: list[str] = []
    excluded: list[str] = []
    terms: list[Term] = []
    errors: list[str] = []
    for token in tokens:
        negated = token.startswith(NEGATIONS) and len(token) > 1
        body = token[1:] if negated else token
        found = _TERM.match(body)
        if found is None or found.group(1).lower() not in FIELDS:
            if found is not None and found.group(2) == ":" and found.group(3):
                errors.append(f"unknown filter field {found.group(1)!r} "
                              f"(fields: {', '.join(FIELDS)})")
                continue
            if token in NEGATIONS:
                continue  # a lone - or ! while the rest is still being typed
            (excluded if negated else words).append(body.casefold())
            continue
        term, error = _term(found.group(1).lower(), found.group(2), found.group(3), negated)
        if error:
            errors.append(error)
        elif term is not None:
            terms.append(term)
    return (Query(tuple(words), tuple(terms), tuple(excluded)),
            (errors[0] if errors else ""))


def _term(name: str, op: str, raw: str, negated: bool) -> tuple[Term | None, str]:
    # A trailing comma (``os:ubuntu,`` while the next value is typed) adds no value.
    raw_values = [part for part in raw.split(",") if part] if raw else [raw]
    if not raw_values:
        raw_values = [""]
    values: list[str] = []
    new_op = op
    for raw_value in raw_values:
        value, new_op, error = _value(name, op, raw_value)
        if error:
            return None, error
        values.append(value)
    if name == "size" and new_op != "=" and len(values) > 1:
        return None, f"size{op} takes one number; a list goes with size: (size:20,40)"
    return Term(name, new_op, tuple(dict.fromkeys(values)), negated), ""


def _value(name: str, op: str, value: str) -> tuple[str, str, str]:
    """(value, op, error) of one alternative of a term."""
    if name == "size":
        if op not in _SIZE_OPS:
            return "", op, f"size takes >, >=, <, <=, = or : (got {op!r})"
        if not value.isdigit():
            return "", op, f"size needs a whole number of GiB, not {value!r}"
        return str(int(value)), "=" if op == ":" else op, ""
    if op not in (":", "="):
        return "", op, f"{name} takes ':' (as in {name}:value), not {op!r}"
    if name == "tag":
        if not value or value.startswith("="):
            return "", op, "tag needs a key: tag:key or tag:key=value"
        return value, ":", ""  # each alternative is a key, or a key=value pair
    folded = value.casefold()
    if name == "region":
        # An empty region: term means "any region", which the browse layer treats as all regions.
        return folded, ":", ""
    if not folded:
        return "", op, f"{name}: needs a value"
    if name == "arch":
        if folded not in ARCH_ALIASES:
            return "", op, f"unknown architecture {value!r} (x86_64, arm64, i386)"
        return ARCH_ALIASES[folded], ":", ""
    if name == "status":
        if folded not in STATUSES:
            return "", op, f"unknown status {value!r} ({', '.join(STATUSES.values())})"
        return STATUSES[folded], ":", ""
    if name == "usage" and folded not in USAGES:
        return "", op, f"usage is none or instance, not {value!r}"
    if name == "type" and folded not in KINDS:
        return "", op, f"unknown type {value!r} ({', '.join(KINDS)})"
    return folded, ":", ""


def _value_predicate(field: str, op: str, value: str) -> Predicate:
    """Whether an item matches one value of a term, as a function with the value bound."""
    match field:
        case "os":
            return _os_predicate((value,))
        case "name":
            return lambda item, _: value in item.name.casefold()
        case "arch":
            return lambda item, _: item.architecture == value
        case "status":
            return lambda _, status: status == value
        case "family":
            return lambda item, _: value in item.family.casefold()
        case "usage":
            return lambda item, _: item.usage == value
        case "type":
            if value == "all":
                return lambda item, _: True
            return lambda item, _: item.kind == value
        case "region":
            return lambda item, _: not value or item.region_id.casefold().startswith(value)
        case "size":
            bound = int(value)
            return lambda item, _: _compare(item.size, op, bound)
        case "tag":
            return lambda item, _: _tag_matches(item.tags, value)
    return lambda item, _: False


def _os_predicate(values: tuple[str, ...]) -> Predicate:
    """The OS fields only (``os:red`` must not match a name such as "shared"), decided once
    per distinct OS text: it holds the OS type, so equal texts give equal answers."""
    decided: dict[str, bool] = {}

    def os_matches(item: Filterable, status: str) -> bool:
        text = item.os_text
        found = decided.get(text)
        if found is None:
            os_type = item.os_type.casefold()
            found = decided[text] = any(os_type == value or value in text for value in values)
        return found
    return os_matches


_EXACT: dict[str, Callable[[Filterable], str]] = {
    "arch": lambda item: item.architecture,
    "usage": lambda item: item.usage,
    "type": lambda item: item.kind,
}
"""Fields whose values are compared whole: several values are one set lookup."""


def _tag_matches(tags: Sequence[tuple[str, str]], wanted: str) -> bool:
    if "=" not in wanted:
        return any(key == wanted for key, _ in tags)
    wanted_key, wanted_value = wanted.split("=", 1)
    return any(key == wanted_key and value == wanted_value for key, value in tags)


def _compare(size: int, op: str, bound: int) -> bool:
    match op:
        case ">":
            return size > bound
        case ">=":
            return size >= bound
        case "<":
            return size < bound
        case "<=":
            return size <= bound
    return size == bound
