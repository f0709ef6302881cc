"""The loaded rows filtered as the user types, remembering recent results.

A keystroke that extends the filter narrows a remembered result instead of all 100,000
rows, and erasing back to a remembered filter costs a dictionary lookup.
"""

from __future__ import annotations

from array import array
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import compress, repeat
from operator import contains, not_, or_

from ecsimg.domain.filtering import KINDS, Query, Term
from ecsimg.service.reads.image_rows import ImageRow, row_state

OS_TYPES = ("linux", "windows")
REMEMBERED = 16
"""Results kept: enough to erase a long word back to empty without filtering again."""


class Matched:
    """The rows that pass a query, in the list's order, and how many of each kind.

    Kept as positions in the filter's rows (an array of machine integers): a remembered
    result costs 4 bytes a row, and the cycle collector, which walks every list of objects
    it finds young, never walks it. The rows are made into a list when asked for.
    """

    __slots__ = ("_all_rows", "_rows", "counts", "positions")

    def __init__(self, all_rows: Sequence[ImageRow], positions: array[int],
                 counts: dict[str, int]) -> None:
        self._all_rows = all_rows
        self._rows: list[ImageRow] | None = None
        self.positions = positions
        self.counts = counts

    @property
    def rows(self) -> list[ImageRow]:
        if self._rows is None:
            self._rows = list(map(self._all_rows.__getitem__, self.positions))
        return self._rows


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
    """Filters one ordered set of rows; make a new one when the rows or their order change.

    The fields free text is matched against are kept as columns (lists in the rows' order),
    so a word is matched by C loops (``map``, ``compress``) over strings, not by a Python loop
    over row objects: at 88,330 rows a word typed into an empty filter costs about half.
    """

    def __init__(self, rows: Sequence[ImageRow], common_texts: Collection[str]) -> None:
        self._rows = rows
        self._common_texts = common_texts
        self._own = [row.own_text for row in rows]
        self._common = [row.common_text for row in rows]
        self._kinds = [row.kind for row in rows]
        self._remembered: OrderedDict[Query, Matched] = OrderedDict()
        self._all: Matched | None = None

    def matching(self, query: Query, now: float) -> Matched:
        """The rows passing ``query``; a status term is matched live, so never remembered."""
        if query.is_empty:
            if self._all is None:
                self._all = self._matched(array("l", range(len(self._rows))))
            return self._all
        found = self._remembered.get(query)
        if found is not None:
            self._remembered.move_to_end(query)
            return found
        found = self._matched(self._refine(self._base(query), query, now))
        if not query.needs_status:
            self._remembered[query] = found
            if len(self._remembered) > REMEMBERED:
                self._remembered.popitem(last=False)
        return found

    def _matched(self, positions: array[int]) -> Matched:
        counts = dict.fromkeys(KINDS, 0)
        counts.update(Counter(map(self._kinds.__getitem__, positions)))
        counts["all"] = len(positions)
        return Matched(self._rows, positions, counts)

    def _base(self, query: Query) -> array[int] | None:
        """The positions of the smallest remembered result that ``query`` narrows, else None
        (every row)."""
        base: array[int] | None = None
        for old, matched in self._remembered.items():
            if (len(matched.positions) < (len(self._rows) if base is None else len(base))
                    and narrows(query, old)):
                base = matched.positions
        return base

    def _refine(self, base: array[int] | None, query: Query, now: float) -> array[int]:
        """The positions among ``base`` (None: all) of the rows passing ``query``: the same
        rows as ``browse.refine``, word by word, then term by term."""
        positions: Iterable[int] = range(len(self._rows)) if base is None else base
        every = base is None
        for word in query.words:
            positions = array("l", compress(positions, self._has_text(word, positions, every)))
            every = False
        for word in query.excluded:
            positions = array("l", compress(positions, map(
                not_, self._has_text(word, positions, every))))
            every = False
        rows = self._rows
        for term in query.terms:
            hit = term.predicate()
            if term.field == "status":
                positions = array("l", (i for i in positions
                                        if hit(rows[i], row_state(rows[i], now)[0])))
            else:
                positions = array("l", (i for i in positions if hit(rows[i], "")))
        return positions if isinstance(positions, array) else array("l", positions)

    def _has_text(self, word: str, positions: Iterable[int], every: bool) -> Iterator[bool]:
        """Per position, whether the row's own text or its common text holds ``word``."""
        own: Iterable[str] = self._own if every else map(self._own.__getitem__, positions)
        has_own = map(contains, own, repeat(word))
        hits = {text for text in self._common_texts if word in text}
        if not hits:
            return has_own
        common: Iterable[str] = (self._common if every
                                 else map(self._common.__getitem__, positions))
        return map(or_, has_own, map(hits.__contains__, common))
