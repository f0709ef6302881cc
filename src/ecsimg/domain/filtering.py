"""The filter line: free text plus ``field:value`` terms, parsed once and matched per image."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

KINDS = ("all", "public", "custom", "shared", "marketplace", "community")
STATUSES = {s.lower(): s for s in
            ("Available", "Creating", "Waiting", "UnAvailable", "CreateFailed", "Deprecated")}
ARCH_ALIASES = {"x86_64": "x86_64", "x86": "x86_64", "x64": "x86_64", "amd64": "x86_64",
                "arm64": "arm64", "arm": "arm64", "aarch64": "arm64", "i386": "i386",
                "x86_32": "i386", "i686": "i386"}
USAGES = ("none", "instance")
FIELDS = ("os", "arch", "status", "family", "tag", "usage", "size", "type", "region")
_TERM = re.compile(r"^([a-z]+)(>=|<=|:|>|<|=)(.*)$", re.IGNORECASE)
_SIZE_OPS = (">=", "<=", ">", "<", "=", ":")


class Filterable(Protocol):
    """What a filter reads of an image row (the browse layer's rows provide it)."""

    @property
    def search_text(self) -> str:
        """Name, ID, snapshot IDs, OS names and description, casefolded, for free text."""
        ...

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


@dataclass(frozen=True, slots=True)
class Term:
    """One ``field op value`` term; ``value`` is casefolded except for tags."""

    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: every word and every term must match (AND)."""

    words: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.terms

    @property
    def needs_status(self) -> bool:
        """Whether matching reads the live status (so callers compute it only then)."""
        return any(term.field == "status" for term in self.terms)

    def matches(self, item: Filterable, status: str) -> bool:
        """Whether ``item`` (whose live status is ``status``) passes every word and term."""
        text = item.search_text
        if any(word not in text for word in self.words):
            return False
        return all(_term_matches(term, item, status) for term in self.terms)


@dataclass(frozen=True, slots=True)
class ParsedFilter:
    """The query of every good part of the line, and a message about the first bad part."""

    query: Query
    error: str = ""


def parse_filter(line: str) -> ParsedFilter:
    """Parse the filter line; a bad term is reported in ``error`` and left out of the query."""
    try:
        tokens = shlex.split(line)
    except ValueError:
        tokens = line.replace('"', " ").replace("'", " ").split()
        return ParsedFilter(_query(tokens)[0], "unbalanced quote in the filter")
    query, error = _query(tokens)
    return ParsedFilter(query, error)


def _query(tokens: list[str]) -> tuple[Query, str]:
    words: list[str] = []
    terms: list[Term] = []
    errors: list[str] = []
    for token in tokens:
        found = _TERM.match(token)
        if found is None or found.group(1).lower() not in FIELDS:
            if found is not None and found.group(2) == ":" and found.group(3):
                errors.append(f"unknown filter field {found.group(1)!r} "
                              f"(fields: {', '.join(FIELDS)})")
                continue
            words.append(token.casefold())
            continue
        term, error = _term(found.group(1).lower(), found.group(2), found.group(3))
        if error:
            errors.append(error)
        elif term is not None:
            terms.append(term)
    return Query(tuple(words), tuple(terms)), (errors[0] if errors else "")


def _term(name: str, op: str, value: str) -> tuple[Term | None, str]:
    if name == "size":
        if op not in _SIZE_OPS:
            return None, f"size takes >, >=, <, <=, = or : (got {op!r})"
        if not value.isdigit():
            return None, f"size needs a whole number of GiB, not {value!r}"
        return Term("size", "=" if op == ":" else op, str(int(value))), ""
    if op not in (":", "="):
        return None, f"{name} takes ':' (as in {name}:value), not {op!r}"
    if name == "tag":
        if not value:
            return None, "tag needs a key: tag:key or tag:key=value"
        return Term("tag", "=" if "=" in value else "has", value), ""
    folded = value.casefold()
    if name == "region":
        # An empty region: term means "any region", which the browse layer treats as all regions.
        return Term("region", op, folded), ""
    if not folded:
        return None, f"{name}: needs a value"
    if name == "arch":
        if folded not in ARCH_ALIASES:
            return None, f"unknown architecture {value!r} (x86_64, arm64, i386)"
        return Term("arch", ":", ARCH_ALIASES[folded]), ""
    if name == "status":
        if folded not in STATUSES:
            return None, f"unknown status {value!r} ({', '.join(STATUSES.values())})"
        return Term("status", ":", STATUSES[folded]), ""
    if name == "usage" and folded not in USAGES:
        return None, f"usage is none or instance, not {value!r}"
    if name == "type" and folded not in KINDS:
        return None, f"unknown type {value!r} ({', '.join(KINDS)})"
    return Term(name, ":", folded), ""


def _term_matches(term: Term, item: Filterable, status: str) -> bool:
    value = term.value
    match term.field:
        case "os":
            # The OS fields only: ``os:red`` must not match a name such as "shared".
            return item.os_type.casefold() == value or value in item.os_text
        case "arch":
            return item.architecture == value
        case "status":
            return status == value
        case "family":
            return value in item.family.casefold()
        case "usage":
            return item.usage == value
        case "type":
            return value == "all" or item.kind == value
        case "region":
            return not value or item.region_id.casefold().startswith(value)
        case "size":
            return _compare(item.size, term.op, int(value))
        case "tag":
            return _tag_matches(item.tags, term)
    return False


def _tag_matches(tags: Sequence[tuple[str, str]], term: Term) -> bool:
    if term.op == "has":
        return any(key == term.value for key, _ in tags)
    wanted_key, wanted_value = term.value.split("=", 1)
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
