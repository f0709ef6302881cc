"""The loaded rows filtered as the user types, remembering recent results.

A keystroke that extends the filter narrows a remembered result instead of all 100,000
rows, and erasing back to a remembered filter costs a dictionary lookup. What a word or term
reads of the rows is kept in columns, so that matching is C loops over them.

A result that keeps many of the rows (a first letter keeps 68,000 of 88,330) is found as a
mask, one bit per row in one integer, and each word's or term's mask over every row is kept:
narrowing is an AND, counting a kind's rows one more AND and a bit count, and a word typed
before is not looked for again. A result that keeps few rows is an array of
their positions, narrowed by testing those rows alone.
"""

from __future__ import annotations

import functools
from array import array
from collections import Counter, OrderedDict
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from itertools import compress, repeat
from operator import contains, itemgetter, not_, or_, truth
from typing import Any

from ecsimg.domain.filtering import KINDS, Query, Term
from ecsimg.service.reads.image_rows import ImageRow
from ecsimg.service.reads.row_table import (
    RowsAt,
    RowTable,
    columns_of,
    positions_in,
    states_of,
)
from ecsimg.store.columns import Coded, coded

OS_TYPES = ("linux", "windows")
REMEMBERED = 16
"""Results kept: enough to erase a long word back to empty without filtering again."""
KEYED_FIELDS: dict[str, str] = {
    "os": "os_text",  # the OS names, platform and OS type: all os: reads
    "arch": "architecture",
    "usage": "usage",
    "type": "kind",
    "family": "family",
    "region": "region_id",
    "size": "size",
    "tag": "tags",  # one tuple per distinct set of tags
}
"""Fields whose terms read one value of the row (the column named), shared by many rows: a
term is decided per distinct value (``RowFilter._passes``)."""
DENSE = 4
"""A result keeping more than one row in ``DENSE`` is narrowed as a mask over every row; a
smaller one by testing its own rows (at 88,330 rows, one word over all of them costs about
what testing a quarter of them through their positions does)."""
MASKS_KEPT = 48
"""Masks of words and terms kept (11 KB each at 88,330 rows)."""
FOLDED_AT_ONCE = 4096
"""Texts folded to ASCII together (``_ascii_contiguous``)."""
SEPARATOR = "\x1e"
"""Joins the texts of a column while they are made again contiguously (``_ascii_contiguous``)."""


class _Named:
    """What a ``name:`` term reads of a row, its name, standing for the row."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Matched:
    """The rows that pass a query, in the list's order, and how many of each kind."""

    __slots__ = ("counts", "rows")

    def __init__(self, rows: RowsAt, counts: dict[str, int]) -> None:
        self.rows = rows
        self.counts = counts


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


def _ascii_contiguous(texts: list[str]) -> list[str]:
    """Each text with every non-ASCII character as ``?``, the texts made again one after
    another in memory: a word is looked for in 88,330 of them in 13 ms instead of 30 ms,
    most of which went in fetching strings scattered among the row objects from memory.
    Joined, replaced and split in C (a loop over the texts took 0.1 s of the load), a few
    thousand texts at a time (at once, the copies took 14 MB more at the load's peak); when
    a text holds the separator, text by text."""
    remade: list[str] = []
    for start in range(0, len(texts), FOLDED_AT_ONCE):
        part = texts[start:start + FOLDED_AT_ONCE]
        joined = SEPARATOR.join(part).encode("ascii", "replace").decode("ascii")
        folded = joined.split(SEPARATOR)
        if len(folded) != len(part):
            return [text if text.isascii() else text.encode("ascii", "replace").decode()
                    for text in texts]
        remade += folded
    return remade


class _Keyed:
    """A field of few values as terms read it: its column, where each value is first found,
    and each value's mask when the values are few enough (``FEW``), from the column coded
    once (``coded``)."""

    __slots__ = ("first_with", "keys", "masks")
    masks: dict[Any, int] | None

    def __init__(self, keys: list[object], masks: dict[Any, int] | None = None) -> None:
        self.keys = keys
        if masks is not None:  # made already: a value's first row is its mask's highest bit
            self.masks = masks
            self.first_with = {value: len(keys) - mask.bit_length()
                               for value, mask in masks.items()}
            return
        found = coded(keys)
        self.masks = _masks(found) if len(found.distinct) <= FEW else None
        self.first_with = dict(zip(found.distinct, found.first_rows(), strict=True))


class RowFilter:
    """Filters one ordered set of rows; make a new one when the rows or their order change.

    The fields free text is matched against are kept as columns (lists in the rows' order),
    so a word is matched by C loops (``map``, ``compress``) over strings, not by a Python loop
    over row objects: at 88,330 rows a word typed into an empty filter costs about half.
    """

    def __init__(self, rows: Sequence[ImageRow], common_texts: Collection[str]) -> None:
        self._rows = rows
        self._size = len(rows)
        self._common_texts = common_texts
        self._own = columns_of(rows, "own_text")
        self._common = columns_of(rows, "common_text")
        self._kinds = columns_of(rows, "kind")
        self._every = (1 << self._size) - 1
        self._kind_masks = _masks_by_value(self._kinds)
        self._remembered: OrderedDict[Query, Matched] = OrderedDict()
        self._masks: OrderedDict[object, int] = OrderedDict()
        self._all: Matched | None = None
        self._keyed_columns: dict[str, _Keyed] = {}
        self._names: list[str] | None = None

    # What only a word typed reads is made by ``warm``, after the list is shown (60 ms at
    # 88,330 rows), or by the first word typed before that.

    @functools.cached_property
    def _own_ascii(self) -> list[str]:
        """Each own text with every non-ASCII character as ``?``: an ASCII word is found in
        it exactly where it is found in the text (it cannot span a replaced character), and
        a one-byte string is searched for an ASCII word without the copy of the word that
        searching a wider string makes on every call (half the names are Chinese)."""
        return _ascii_contiguous(self._own)

    @functools.cached_property
    def _common_masks(self) -> dict[Hashable, int] | None:
        return _masks_by_value(self._common)

    def matching(self, query: Query, now: float) -> Matched:
        """The rows passing ``query``; a status term is matched live, so never remembered."""
        if query.is_empty:
            if self._all is None:
                self._all = self._matched(self._every)
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

    def _matched(self, found: array[int] | int) -> Matched:
        """The rows at positions ``found``, or where mask ``found`` (``_as_int``) is 1."""
        counts = dict.fromkeys(KINDS, 0)
        if isinstance(found, array):
            counts.update(Counter(map(self._kinds.__getitem__, found)))
            counts["all"] = len(found)
            return Matched(RowsAt(self._rows, found), counts)
        if self._kind_masks is None:
            counts.update(Counter(compress(self._kinds, _as_bytes(found, self._size))))
        else:
            for kind, mask in self._kind_masks.items():
                if ones := (found & mask).bit_count():
                    counts[kind] = ones
        ones = found.bit_count()
        counts["all"] = ones
        return Matched(RowsAt.of_mask(self._rows, _as_bytes(found, self._size), ones), counts)

    def of_kind(self, matched: Matched, kind: str) -> RowsAt:
        """The rows of ``matched`` on tab ``kind`` (``all``: every one)."""
        if kind == "all":
            return matched.rows
        if matched.rows.mask is not None and self._kind_masks is not None:
            mask = _as_int(matched.rows.mask) & self._kind_masks.get(kind, 0)
            return RowsAt.of_mask(self._rows, _as_bytes(mask, self._size), mask.bit_count())
        positions = matched.rows.positions
        kinds = map(self._kinds.__getitem__, positions)
        return RowsAt(self._rows, array("l", compress(positions, map(kind.__eq__, kinds))))

    def _base(self, query: Query) -> RowsAt | None:
        """The smallest remembered result that ``query`` narrows, else None (every row)."""
        base: RowsAt | None = None
        for old, matched in self._remembered.items():
            if (len(matched.rows) < (self._size if base is None else len(base))
                    and narrows(query, old)):
                base = matched.rows
        return base

    def _refine(self, base: RowsAt | None, query: Query, now: float) -> array[int] | int:
        """The rows among ``base`` (None: all) passing ``query``, the same rows as
        ``Query.matches`` passes, test by test: a mask while many rows pass, positions once
        few do."""
        size = self._size
        mask: int | None = None
        positions: array[int] = array("l")
        if base is None:
            mask, ones = self._every, size
        elif base.mask is not None and len(base) * DENSE > size:
            mask, ones = _as_int(base.mask), len(base)
        else:
            positions = base.positions
        tests: list[tuple[str, Any]] = [("word", word) for word in query.words]
        tests += [("not", word) for word in query.excluded]
        tests += [("term", term) for term in query.terms]
        for test in tests:
            if mask is not None and ones * DENSE > size:
                mask &= self._mask(test, now)
                ones = mask.bit_count()
                continue
            if mask is not None:
                positions, mask = positions_in(_as_bytes(mask, size), ones), None
            positions = array("l", compress(positions, self._passing(test, positions, now)))
        return positions if mask is None else mask

    def _mask(self, test: tuple[str, Any], now: float) -> int:
        """The mask of the rows passing ``test`` among all rows: kept, unless it reads the
        status (which changes with ``now``)."""
        kind, what = test
        if kind == "not":
            return self._every ^ self._mask(("word", what), now)
        found = self._masks.get(test)
        if found is not None:
            self._masks.move_to_end(test)
            return found
        if kind == "word":
            found = self._word_mask(what)
        elif what.field in KEYED_FIELDS:
            found = self._term_mask(what)
        else:
            found = _as_int(bytes(self._passing(test, None, now)))
        if not (kind == "term" and what.field == "status"):
            self._masks[test] = found
            if len(self._masks) > MASKS_KEPT:
                self._masks.popitem(last=False)
        return found

    def _word_mask(self, word: str) -> int:
        """The mask of the rows whose own or common text holds ``word``: the common texts are
        a few dozen, each with its mask, so only the own texts are searched."""
        texts = self._own_ascii if word.isascii() and "?" not in word else self._own
        found = _as_int(bytes(map(contains, texts, repeat(word))))
        hits = {text for text in self._common_texts if word in text}
        if not hits:
            return found
        if self._common_masks is None:
            return found | _as_int(bytes(map(hits.__contains__, self._common)))
        for text in hits:
            found |= self._common_masks.get(text, 0)
        return found

    def _passing(self, test: tuple[str, Any], positions: array[int] | None,
                 now: float) -> Iterator[bool]:
        """Per row at ``positions`` (None: every row), whether it passes ``test``."""
        kind, what = test
        if kind == "word":
            return self._has_text(what, positions)
        if kind == "not":
            return map(not_, self._has_text(what, positions))
        term: Term = what
        if term.field in KEYED_FIELDS:
            return self._passes(term, positions)
        hit = term.predicate()
        rows = self._rows
        if term.field == "status":  # live: its predicate reads the status alone
            states = states_of(rows, now)
            live: Iterable[tuple[str, int]] = (
                states if positions is None else map(states.__getitem__, positions))
            nothing: Iterable[Any] = repeat(None)  # the predicate reads no row
            return map(truth, map(hit, nothing, map(itemgetter(0), live)))
        # name: read from the names, not the rows (which a table makes on demand)
        names = columns_of(rows, "image_name") if self._names is None else self._names
        self._names = names
        column = names if positions is None else map(names.__getitem__, positions)
        named: Iterable[Any] = map(_Named, column)
        return map(truth, map(hit, named, repeat("")))

    def _passes(self, term: Term, positions: array[int] | None) -> Iterator[bool]:
        """Per position, whether the row passes ``term``, a term on a field with few values
        (``KEYED_FIELDS``): the term is decided once per distinct value, on a row that has it
        (it reads nothing else of the row), and each row's answer is a set lookup in C. An
        ``os:`` term over 88,330 rows went from 80 ms to a few."""
        keyed = self._keyed(term.field)
        passing = self._passing_values(term, keyed)
        column: Iterable[object] = (keyed.keys if positions is None
                                    else map(keyed.keys.__getitem__, positions))
        return map(passing.__contains__, column)

    def _term_mask(self, term: Term) -> int:
        """The mask of the rows passing ``term`` (a ``KEYED_FIELDS`` term): the masks of the
        values it passes, joined, when the field keeps one per value."""
        keyed = self._keyed(term.field)
        if keyed.masks is None:
            return _as_int(bytes(self._passes(term, None)))
        found = 0
        for value in self._passing_values(term, keyed):
            found |= keyed.masks[value]
        return found

    def _passing_values(self, term: Term, keyed: _Keyed) -> set[object]:
        hit = term.predicate()
        rows = self._rows
        return {value for value, index in keyed.first_with.items() if hit(rows[index], "")}

    def _keyed(self, field: str) -> _Keyed:
        """What a term on ``field`` reads, made on the first such term (or by ``warm``)."""
        found = self._keyed_columns.get(field)
        if found is None:
            column = KEYED_FIELDS[field]
            found = self._keyed_columns[field] = (
                _Keyed(self._kinds, self._kind_masks) if column == "kind"
                else _Keyed(columns_of(self._rows, column)))
        return found

    def warm(self) -> None:
        """Make beforehand what the first term on each field of few values reads (30 ms a
        field at 88,330 rows, that the first ``os:`` or ``arch:`` would pay), what a word
        typed reads, and what finds the cursor's row in the first result."""
        self._own_ascii  # noqa: B018  # made now: cached
        self._common_masks  # noqa: B018
        for field in KEYED_FIELDS:
            if field != "tag":  # a set of tags per image: many values, and rarely typed
                self._keyed(field)
        if isinstance(self._rows, RowTable):  # where the cursor's row is, after a keystroke
            self._rows.where()

    def _has_text(self, word: str, positions: array[int] | None) -> Iterator[bool]:
        """Per position (None: every row), whether the row's own text or its common text
        holds ``word``."""
        texts = self._own_ascii if word.isascii() and "?" not in word else self._own
        own: Iterable[str] = texts if positions is None else map(texts.__getitem__, positions)
        has_own = map(contains, own, repeat(word))
        hits = {text for text in self._common_texts if word in text}
        if not hits:
            return has_own
        common: Iterable[str] = (self._common if positions is None
                                 else map(self._common.__getitem__, positions))
        return map(or_, has_own, map(hits.__contains__, common))


def _as_int(mask: bytes) -> int:
    """A mask (0 or 1 per byte) as the bits of one integer, the first row the highest: masks
    combine with ``&``, ``|`` and ``^`` in C, and ``bit_count`` counts their rows."""
    return int(mask.translate(_DIGITS), 2) if mask else 0


def _as_bytes(mask: int, size: int) -> bytes:
    """The mask ``_as_int`` made, one byte per row again."""
    return format(mask, f"0{size}b").encode().translate(_BYTES) if size else b""


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_BYTES = bytes.maketrans(b"01", b"\x00\x01")
FEW = 64
"""A column with at most this many distinct values keeps a mask for each (``_masks_by_value``)."""


def _masks_by_value(column: Sequence[Hashable]) -> dict[Any, int] | None:
    """For each distinct value of ``column``, the mask of its rows; None when it holds more
    than ``FEW`` values."""
    found = coded(column, FEW)
    return None if found is None else _masks(found)


def _masks(found: Coded) -> dict[Any, int]:
    """For each distinct value of ``found`` (at most 256), the mask of its rows."""
    codes = bytes(found.codes)
    masks = {}
    for code, value in enumerate(found.distinct):
        digits = bytearray(b"0" * 256)
        digits[code] = ord("1")
        masks[value] = int(codes.translate(digits), 2) if codes else 0
    return masks
