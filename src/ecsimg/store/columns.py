"""A projection kept as columns: what a reader extracts of each document, one list per field.

``Repository.project_columns`` gives a shard's extracted fields as columns instead of a list
per document. The columns are what a reader of 100,000 documents works on with C loops
(``map``, ``compress``) instead of a Python loop over documents. A field with few distinct
values in a shard is kept as those values and one small code per document (``Column``). It is
stored smaller, parsed quicker and decoded with one object per distinct value. A reader can
also work out something per distinct value instead of per document.

Stored (``ProjectionCache``) as JSON: ``{"groups": [[GROUP, COUNT], ...], "columns": [COLUMN,
...]}`` where a COLUMN is a list of values, one per document, or ``{"distinct": [...], "codes":
[...]}``. The documents are stored a group after another (a region's images, for images), so
that a group's rows are a slice of each column.

A reader declares the types of each field's values (``Accepted``): a kept file whose values
are of others (written by another version, or by hand with its checksum made again) is not
decoded, as one of another shape is not.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat, starmap
from operator import countOf
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar, overload

import orjson

if TYPE_CHECKING:
    from ecsimg.store.tables import Table

D = TypeVar("D")

FEW_DISTINCT = 2
"""A field is kept as distinct values and codes when it has at most one distinct value per
this many documents."""
SAMPLE = 64
"""Documents looked at first: a field whose first ones nearly all differ is kept as it is."""


@dataclass(frozen=True, slots=True)
class ListOf:
    """Lists whose items are each of ``item``, or, when ``item`` is a tuple, lists of as many
    items as it has, each of its own: a list of [str, int] pairs is ``ListOf(ListOf((
    frozenset({str}), frozenset({int}))))``."""

    item: Accepted | tuple[Accepted, ...]


Accepted: TypeAlias = frozenset[type] | ListOf
"""The values a field may have: of one of a set of exact types (``bool`` is no ``int`` here),
or lists of such values (``ListOf``)."""

_TEXT: frozenset[type] = frozenset({str})


@dataclass(slots=True)
class Column:
    """One extracted field of some documents: ``values``, one per document, and when the field
    has few distinct values, those (``distinct``) and each document's index among them
    (``codes``): ``values[i] is distinct[codes[i]]``."""

    values: list[Any]
    distinct: list[Any] | None = None
    codes: list[int] | None = None

    def keys(self) -> Sequence[Any]:
        """One hashable stand-in per document, equal for equal values: its code when there
        are codes, else the value (a list or object as its JSON)."""
        if self.codes is not None:
            return self.codes
        values = self.values
        if not any(map(isinstance, values, repeat(list | dict))):
            return values
        return [orjson.dumps(v) if isinstance(v, list | dict) else v for v in values]


@dataclass(frozen=True, slots=True)
class Coded:
    """Some values as their distinct values, in the order they first appear (``distinct``),
    and each value's index among them (``codes``): ``values[i] == distinct[codes[i]]``, and
    ``distinct[c]`` is the first of the values equal to it. Values equal in Python are one
    value (1, 1.0 and True): a caller that keeps them apart codes stand-ins for them."""

    distinct: list[Any]
    codes: list[int]

    def first_rows(self) -> list[int]:
        """For each distinct value, the index of the first value equal to it (ascending):
        found in the codes as bytes (``bytes.index``, a ``memchr``) when there are at most
        256 values, else by one dictionary made in C."""
        codes, size = self.codes, len(self.distinct)
        if size <= 256:
            return list(map(bytes(codes).index, range(size)))
        firsts = dict(zip(reversed(codes), range(len(codes) - 1, -1, -1), strict=True))
        return list(map(firsts.__getitem__, range(size)))


@overload
def coded(values: Sequence[Hashable]) -> Coded: ...


@overload
def coded(values: Sequence[Hashable], most: int) -> Coded | None: ...


def coded(values: Sequence[Hashable], most: int | None = None) -> Coded | None:
    """``values`` as their distinct values and a code per value (``Coded``); None when they
    have more than ``most`` distinct values. C loops over the values, never a Python one.

    Without ``most``, one loop hashes each value once: ``setdefault`` gives a value not seen
    before the code ``len(index)``, which ``map`` reads just before, and a value seen before
    its code. Tuples of fields, whose hash is not kept, are coded in two thirds of the time
    of the two loops below. With ``most``, the distinct values are counted first
    (``dict.fromkeys``), so that too many are found without coding any, then each value is
    looked up: quicker for strings and numbers (a string keeps its hash), which is what the
    callers with a limit code."""
    if most is None:
        found: dict[Any, int] = {}
        codes = list(map(found.setdefault, values, map(len, repeat(found))))
        return Coded(list(found), codes)
    index: dict[Any, int] = dict.fromkeys(values, 0)
    if len(index) > most:
        return None
    for code, value in enumerate(index):
        index[value] = code
    return Coded(list(index), list(map(index.__getitem__, values)))


def encode(rows: list[list[Any]], groups: list[str], width: int) -> dict[str, Any]:
    """The stored form of ``rows`` (``width`` fields each, JSON values) and their groups."""
    order = sorted(range(len(rows)), key=groups.__getitem__)
    rows = list(map(rows.__getitem__, order))
    counts: dict[str, int] = {}
    for index in order:
        counts[groups[index]] = counts.get(groups[index], 0) + 1
    columns = ([_encoded(list(values)) for values in zip(*rows, strict=True)] if rows
               else [[] for _ in range(width)])
    return {"groups": [[group, count] for group, count in counts.items()], "columns": columns}


def _encoded(values: list[Any]) -> list[Any] | dict[str, list[Any]]:
    limit = len(values) // FEW_DISTINCT
    if _mostly_distinct(values):
        return values  # names, IDs: a value per document, seen without counting them all
    if len(set(map(type, values))) == 1 and not isinstance(values[0], list | dict):
        # One type of scalar (most fields): the values are their own keys, in C loops.
        found = coded(values, limit)
        if found is None:
            return values
        return {"distinct": found.distinct, "codes": found.codes}
    keys: dict[Any, int] = {}
    distinct: list[Any] = []
    codes: list[int] = []
    # 1, 1.0 and True, or lists: keyed by type, or by their JSON, in a Python loop that stops
    # at the limit (the keys listed, then coded by ``coded``, took 10% longer).
    for value in values:
        key = _key(value)
        code = keys.get(key)
        if code is None:
            if len(distinct) >= limit:
                return values
            code = keys[key] = len(distinct)
            distinct.append(value)
        codes.append(code)
    return {"distinct": distinct, "codes": codes}


def _key(value: Any) -> Any:
    """A hashable stand-in for ``value``, equal only for equal JSON values."""
    if type(value) is list:
        if all(type(item) is str for item in value):  # a list of IDs: the commonest list
            return tuple(value)
        return orjson.dumps(value)
    if type(value) is dict:
        return orjson.dumps(value)
    return (type(value), value)


def _mostly_distinct(values: list[Any]) -> bool:
    if len(values) <= SAMPLE:
        return False
    try:
        return len(set(values[:SAMPLE])) > SAMPLE * 3 // 4
    except TypeError:  # lists: not sampled
        return False


def decode(stored: Any, width: int, group: str | None,
           types: Sequence[Accepted] | None = None) -> list[Column] | None:
    """The columns of the documents of ``group`` (every document when None) from their
    stored form; None when it is not that of ``width`` fields (a damaged or older file), or,
    with ``types`` (one per field), when a field has a value of another type."""
    if not isinstance(stored, dict):
        return None
    groups, columns = stored.get("groups"), stored.get("columns")
    if not isinstance(groups, list) or not isinstance(columns, list) or len(columns) != width:
        return None
    start = end = count = 0
    names: set[Any] = set()
    for pair in groups:
        if (not isinstance(pair, list) or len(pair) != 2 or type(pair[1]) is not int
                or pair[1] < 0 or not isinstance(pair[0], str) or pair[0] in names):
            return None
        names.add(pair[0])
        if pair[0] == group:
            start, end = count, count + pair[1]
        count += pair[1]
    decoded = [_column(column) for column in columns]
    if any(column is None or len(column.values) != count for column in decoded):
        return None
    found: list[Column] = decoded  # type: ignore[assignment]  # no None, checked above
    if types is not None and not all(starmap(_fits, zip(found, types, strict=True))):
        return None
    if group is None or (start == 0 and end == count):
        return found
    return [_sliced(column, start, end) for column in found]


def _column(stored: Any) -> Column | None:
    if isinstance(stored, list):
        return Column(stored)
    if not isinstance(stored, dict):
        return None
    distinct, codes = stored.get("distinct"), stored.get("codes")
    if not isinstance(distinct, list) or not isinstance(codes, list):
        return None
    try:  # a code that is no index of ``distinct`` fails here
        values = list(map(distinct.__getitem__, codes))
    except (TypeError, IndexError):
        return None
    if codes and min(codes) < 0:
        return None
    return Column(values, distinct, codes)


def _fits(column: Column, accepted: Accepted) -> bool:
    """Whether every value of ``column`` is of the ``accepted`` types: of a column with codes,
    its distinct values alone are looked at."""
    return _fit(column.distinct if column.distinct is not None else column.values, accepted)


def _fit(values: Sequence[Any], accepted: Accepted) -> bool:
    # Each check is one C loop over the values, never a Python one: at 100,000 images the
    # plain columns hold 600,000 values, the distinct disk lists 200,000.
    if accepted == _TEXT:
        try:
            "".join(values)  # refuses anything but a str (JSON gives no subclass of it)
        except TypeError:
            return False
        return True
    if isinstance(accepted, frozenset):
        if len(accepted) == 1:
            return countOf(map(type, values), next(iter(accepted))) == len(values)
        return set(map(type, values)) <= accepted
    if countOf(map(type, values), list) != len(values):
        return False
    item = accepted.item
    if not isinstance(item, tuple):
        return _fit(list(chain.from_iterable(values)), item)
    if not values:
        return True
    try:  # a list of each place's items, for lists all as long as ``item``
        places = list(zip(*values, strict=True))
    except ValueError:
        return False
    return len(places) == len(item) and all(map(_fit, places, item))


def _sliced(column: Column, start: int, end: int) -> Column:
    if column.codes is None:
        return Column(column.values[start:end])
    return Column(column.values[start:end], column.distinct, column.codes[start:end])


def kept(column: Column, keep: list[bool]) -> Column:
    """The rows of ``column`` where ``keep`` is true."""
    if column.codes is None:
        return Column(list(compress(column.values, keep)))
    codes = list(compress(column.codes, keep))
    assert column.distinct is not None
    return Column(list(map(column.distinct.__getitem__, codes)), column.distinct, codes)


def plain(rows: list[list[Any]], width: int) -> list[Column]:
    """Columns of ``rows`` without distinct values (nothing stored, nothing to share)."""
    if not rows:
        return [Column([]) for _ in range(width)]
    return [Column(list(values)) for values in zip(*rows, strict=True)]


@dataclass(frozen=True)
class Derivation(Generic[D]):
    """What a reader works out from each shard's projection as columns, to be kept
    (``Repository.project_derived``)."""

    name: str
    """The kept derivation's folder: a new name whenever ``make`` or its value changes."""
    context: Sequence[Any]
    """JSON values ``make`` depends on besides the shard and ``inputs`` (an account ID)."""
    inputs: Sequence[Table[Any]]
    """The tables ``make`` reads whole: a commit to any of them makes every kept value
    stale."""
    make: Callable[[list[Column]], D]
    """A shard's value from its columns; plain data (``MARSHAL``) to be kept. It may read
    the repository (``inputs``): it is called under the read's lock."""
    accept: Callable[[Any], D | None]
    """A kept value read back, checked (None: not one ``make`` gives, made again)."""
