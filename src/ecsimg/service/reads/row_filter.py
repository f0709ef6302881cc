"""The loaded rows filtered as the user types, remembering recent results.

A keystroke that extends the filter narrows a remembered result instead of all 100,000
rows, and erasing back to a remembered filter costs a dictionary lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ecsimg.domain.filtering import Query, Term
from ecsimg.service.reads.browse import refine
from ecsimg.service.reads.image_rows import ImageRow, count_kinds

OS_TYPES = ("linux", "windows")
REMEMBERED = 16
"""Results kept: enough to erase a long word back to empty without filtering again."""


@dataclass(frozen=True)
class Matched:
    """The rows that pass a query, in the list's order, and how many of each kind."""

    rows: list[ImageRow]
    counts: dict[str, int]


def narrows(new: Query, old: Query) -> bool:
    """Whether every row passing ``new`` passes ``old``: each old word is inside a new word,
    each old excluded word holds a new excluded word, and each old term is kept or narrowed
    by a new one. False when unsure: the caller then filters every row."""
    return (all(any(word in longer for longer in new.words) for word in old.words)
            and all(any(shorter in word for shorter in new.excluded) for word in old.excluded)
            and all(any(_term_narrows(term, kept) for term in new.terms) for kept in old.terms))


def _term_narrows(new: Term, old: Term) -> bool:
    """Whether every row passing ``new`` passes ``old`` (``os:ubu`` narrows ``os:u,deb``)."""
    if new == old:
        return True
    if new.field != old.field or new.op != old.op or new.negated != old.negated:
        return False
    if new.negated:
        # A row failing every new value must fail every old one: each old value must
        # narrow some new value (``-os:ubuntu`` narrows ``-os:ubu``).
        return all(any(_value_narrows(new.field, old_value, new_value)
                       for new_value in new.values) for old_value in old.values)
    # A row passing some new value must pass some old one (``os:ubu`` narrows ``os:u,deb``).
    return all(any(_value_narrows(new.field, new_value, old_value)
                   for old_value in old.values) for new_value in new.values)


def _value_narrows(field: str, new: str, old: str) -> bool:
    """Whether a row matching ``field`` value ``new`` matches ``old`` too."""
    if new == old:
        return True
    if field in ("family", "name"):  # a substring
        return old in new
    if field == "os":  # a substring of the text, or the OS type itself
        return old in new and new not in OS_TYPES
    if field == "region":  # a prefix of the region
        return new.startswith(old)
    return False


class RowFilter:
    """Filters one ordered set of rows; make a new one when the rows or their order change."""

    def __init__(self, rows: Sequence[ImageRow], common_texts: Collection[str]) -> None:
        self._rows = rows
        self._common_texts = common_texts
        self._remembered: OrderedDict[Query, Matched] = OrderedDict()
        self._all: Matched | None = None

    def matching(self, query: Query, now: float) -> Matched:
        """The rows passing ``query``; a status term is matched live, so never remembered."""
        if query.is_empty:
            if self._all is None:
                self._all = Matched(list(self._rows), count_kinds(self._rows))
            return self._all
        found = self._remembered.get(query)
        if found is not None:
            self._remembered.move_to_end(query)
            return found
        rows = refine(self._base(query), query, now, self._common_texts)
        found = Matched(rows, count_kinds(rows))
        if not query.needs_status:
            self._remembered[query] = found
            if len(self._remembered) > REMEMBERED:
                self._remembered.popitem(last=False)
        return found

    def _base(self, query: Query) -> Sequence[ImageRow]:
        """The smallest remembered result that ``query`` narrows, else every row."""
        base: Sequence[ImageRow] = self._rows
        for old, matched in self._remembered.items():
            if len(matched.rows) < len(base) and narrows(query, old):
                base = matched.rows
        return base
