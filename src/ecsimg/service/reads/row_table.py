"""The list's rows of one load kept as columns, each row made as an ``ImageRow`` when first read.

At 100,000 images, making every row an object took most of the list's load (2.6 s of 3):
a call and two dozen attributes per row, while the screen shows forty rows. The load now
keeps each field as a column (a list over the rows), filled a shard at a time by C loops
over the stored list fields (``document_fields``); what the filter, the sort and the counts
read are columns, and a row becomes an object only when something reads it as one (the
lines on screen, the cursor's row, a dialog's). A row is made once: the table keeps it, so
rows keep comparing by identity.
"""

from __future__ import annotations

import re
import sys
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, compress, count, islice, repeat
from operator import add, countOf, is_, is_not, itemgetter
from typing import Any, overload

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.filtering import KINDS
from ecsimg.service.images.visibility import kind_from, state
from ecsimg.service.reads.fees import SnapshotSizes, disks_gib
from ecsimg.service.reads.image_rows import (
    FIELD_TYPES,
    Costs,
    ImageRow,
    ImageSource,
    common_text_of,
    os_text_of,
    row_state,
    shared_tags,
)
from ecsimg.service.reads.image_rows import Field as F
from ecsimg.store.columns import Accepted, Column, Derivation, coded, kept

_intern = sys.intern

SHARED = ("region_id", "os_name", "os_name_en", "os_type", "platform", "architecture",
          "family", "status", "product_code", "license_os", "license_type")
"""Columns of few distinct values: one string object each, not one per row."""
KEPT: dict[str, int] = {
    "image_id": F.ID, "region_id": F.REGION, "image_name": F.NAME,
    "os_name": F.OS_NAME, "os_name_en": F.OS_NAME_EN, "os_type": F.OS_TYPE,
    "platform": F.PLATFORM, "architecture": F.ARCH, "family": F.FAMILY, "size": F.SIZE,
    "creation_time": F.CREATED, "status": F.STATUS, "pending_start": F.PENDING_START,
    "pending_end": F.PENDING_END, "product_code": F.PRODUCT, "license_os": F.LICENSE_OS,
    "license_type": F.LICENSE_TYPE, "own_text": F.OWN_TEXT,
}
"""The list fields kept as they are stored, by column name."""
DERIVED = ("kind", "usage", "common_text", "os_text", "tags", "share_count", "storage_gib")
"""Columns worked out per row from several fields."""


class RowTable(Sequence[ImageRow]):
    """The rows of one load in the list's order (newest first), held as columns; reading a
    row (``table[i]``) makes it once. Columns in that order: ``column(name)``."""

    def __init__(self, columns: dict[str, list[Any]], order: array[int], costs: Costs,
                 source: ImageSource, made: list[ImageRow | None] | None = None) -> None:
        self._columns = columns
        self._order = order
        """The position of each row, in the list's order, in the columns (as loaded)."""
        self._costs = costs
        self._source = source
        self._made: list[ImageRow | None] = (
            made if made is not None else list(repeat(None, len(columns["image_id"]))))
        """The rows made so far, by position in the columns: shared by the tables of the
        same load in other orders, so that a row is one object whatever the order."""
        self._in_order: dict[str, list[Any]] = {}
        self._where: array[int] | None = None

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> ImageRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ImageRow]: ...

    def __getitem__(self, index: int | slice) -> ImageRow | list[ImageRow]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self._order)))]
        if index < 0:
            index += len(self._order)
        if not 0 <= index < len(self._order):
            raise IndexError("row index out of range")
        return self._row(index)

    def __iter__(self) -> Iterator[ImageRow]:
        return map(self._row, range(len(self._order)))

    def __contains__(self, value: object) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Where the row ``value`` (the same object) is: only a row made by this table, or
        by another order of the same load, can be."""
        at = getattr(value, "_at", -1)
        if type(at) is int and 0 <= at < len(self._made) and self._made[at] is value:
            index = self.where()[at]
            if index >= 0 and start <= index < (len(self) if stop is None else stop):
                return index
        raise ValueError("not among these rows")

    def key_index(self, key: str) -> int:
        """Where the image ``key`` (``region/image ID``) is (ValueError: not here), found in
        the image IDs as loaded, in C, without every row's key (70 ms at 100,000 rows)."""
        keys = self._in_order.get("key")
        if keys is not None:
            return keys.index(key)
        region_id, _, image_id = key.partition("/")
        ids, regions = self._columns["image_id"], self._columns["region_id"]
        at = -1
        while True:
            at = ids.index(image_id, at + 1)
            if regions[at] == region_id:
                return self._order.index(at)

    def where(self) -> array[int]:
        """For each position in the columns, the row's index in this table (-1: not in it):
        made once, in C (a Python loop took 15 ms at 88,330 rows, on the first keystroke)."""
        if self._where is None:
            where = array("l", [-1]) * len(self._made)
            deque(map(where.__setitem__, self._order, range(len(self._order))), maxlen=0)
            self._where = where
        return self._where

    def sorted_by(self, keys: Sequence[Any], reverse: bool) -> RowTable:
        """The same rows ordered by ``keys`` (one per row, in this table's order), as
        ``sorted`` orders them (equal keys keep their order); their rows are the same
        objects as this table's."""
        moved = sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)
        order = array("l", map(self._order.__getitem__, moved))
        return RowTable(self._columns, order, self._costs, self._source, self._made)

    def column(self, name: str) -> list[Any]:
        """The values of column ``name`` (a ``KEPT`` or ``DERIVED`` name, or ``key``) in
        the rows' order, made on first use and kept."""
        found = self._in_order.get(name)
        if found is None:
            if name == "key":
                found = list(map(add, map(add, self.column("region_id"), repeat("/")),
                                 self.column("image_id")))
            elif name == "monthly_cost":
                cost_of = self._costs.of
                found = [cost_of((kind == "custom", *key), gib) for kind, *key, gib in zip(
                    self.column("kind"), self.column("region_id"), self.column("license_os"),
                    self.column("license_type"), self.column("product_code"),
                    self.column("storage_gib"), strict=True)]
            else:
                found = list(map(self._columns[name].__getitem__, self._order))
            self._in_order[name] = found
        return found

    def states(self, now: float) -> list[tuple[str, int]]:
        """Each row's live (status, progress percent) at ``now`` (``row_state``), in order,
        from the columns: read again for each ``now``, as the rows' own states are."""
        return live_states(self.column, now)

    def _row(self, index: int) -> ImageRow:
        at = self._order[index]
        found = self._made[at]
        if found is not None:
            return found
        c = self._columns
        row = ImageRow.__new__(ImageRow)
        row.image_id = image_id = c["image_id"][at]
        row.region_id = region_id = c["region_id"][at]
        row.key = f"{region_id}/{image_id}"
        row.image_name = c["image_name"][at]
        row.kind = kind = c["kind"][at]
        row.usage = c["usage"][at]
        row.own_text = c["own_text"][at]
        row.common_text = c["common_text"][at]
        row.os_name = c["os_name"][at]
        row.os_name_en = c["os_name_en"][at]
        row.os_type = c["os_type"][at]
        row.platform = c["platform"][at]
        row.os_text = c["os_text"][at]
        row.architecture = c["architecture"][at]
        row.family = c["family"][at]
        row.size = c["size"][at]
        row.creation_time = c["creation_time"][at]
        row.status = c["status"][at]
        row.pending_start = c["pending_start"][at]
        row.pending_end = c["pending_end"][at]
        row.product_code = product_code = c["product_code"][at]
        row.tags = c["tags"][at]
        row.share_count = c["share_count"][at]
        own = kind == "custom"
        row.monthly_cost = self._costs.of(
            (own, region_id, c["license_os"][at], c["license_type"][at], product_code),
            c["storage_gib"][at])
        row._source = self._source
        row._image = None
        row._at = at
        self._made[at] = row
        return row


class RowsAt(Sequence[ImageRow]):
    """The rows at ``positions`` (ascending) of ``all_rows``: a filter's result as the list
    shows it, without a list of 100,000 row references per keystroke.

    Such a list is what Python's cycle collector walks, reference by reference, each time it
    finds it young or old: with every filter result a list, typing at 100,000 images spent
    tens of milliseconds a keystroke in the collector. An array of positions holds no
    references, so the collector never looks at it.

    A result may instead be a mask (``of_mask``): one byte per row of ``all_rows``, 1 where
    the row is in. A first letter keeps 68,000 of 88,330 rows, and listing their positions
    cost more than finding them; the list draws a screen of them, so the rows are found a
    window (``WINDOW``) at a time around what is read, and every position is listed only
    for what reads them all.
    """

    __slots__ = ("_count", "_mask", "_positions", "_window", "all_rows")

    WINDOW = 256
    """Rows of a mask's result found at a time, around the row read: a few screens."""

    def __init__(self, all_rows: Sequence[ImageRow], positions: array[int]) -> None:
        self.all_rows = all_rows
        self._positions: array[int] | None = positions
        self._mask: bytes | None = None
        self._count = len(positions)
        self._window: tuple[int, array[int]] = (0, array("l"))

    @classmethod
    def of_mask(cls, all_rows: Sequence[ImageRow], mask: bytes,
                ones: int | None = None) -> RowsAt:
        """The rows of ``all_rows`` where ``mask`` (one byte per row, 0 or 1) is 1;
        ``ones``: how many there are, when known."""
        found = cls.__new__(cls)
        found.all_rows = all_rows
        found._positions = None
        found._mask = mask
        found._count = mask.count(1) if ones is None else ones
        found._window = (0, array("l"))
        return found

    @property
    def positions(self) -> array[int]:
        """The positions in ``all_rows``, ascending."""
        if self._positions is None:
            assert self._mask is not None
            self._positions = positions_in(self._mask, self._count)
        return self._positions

    @property
    def mask(self) -> bytes | None:
        """The mask, when the rows were found as one."""
        return self._mask

    def _at(self, index: int) -> int:
        """The position of row ``index`` (0 <= index < len), from the window that holds it."""
        if self._positions is not None:
            return self._positions[index]
        start, window = self._window
        if not start <= index < start + len(window):
            assert self._mask is not None
            start = index - index % self.WINDOW
            first = _nth_one(self._mask, start)
            window = array("l", islice(compress(count(first), memoryview(self._mask)[first:]),
                                       self.WINDOW))
            self._window = (start, window)
        return window[index - start]

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> ImageRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ImageRow]: ...

    def __getitem__(self, index: int | slice) -> ImageRow | list[ImageRow]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if self._positions is None and step == 1 and stop - start <= self.WINDOW:
                return [self.all_rows[self._at(at)] for at in range(start, stop)]
            return list(map(self.all_rows.__getitem__, self.positions[start:stop:step]))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("row index out of range")
        return self.all_rows[self._at(index)]

    def __iter__(self) -> Iterator[ImageRow]:
        return map(self.all_rows.__getitem__, self.positions)

    def __eq__(self, other: object) -> bool:
        """Equal to a list (or another result) of the same rows in the same order."""
        if isinstance(other, RowsAt | list):
            return len(self) == len(other) and all(map(is_, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by content, like a list

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Where the row ``value`` (the same object) is: found among all rows in C, then
        by bisection among the positions, or by counting the mask's rows before it."""
        if not isinstance(self.all_rows, list | RowTable):
            return super().index(value, start, len(self) if stop is None else stop)
        found = self.all_rows.index(value)
        if self._positions is None:
            assert self._mask is not None
            at = self._mask.count(1, 0, found) if self._mask[found] else -1
        else:
            at = bisect_left(self._positions, found)
            if at >= len(self._positions) or self._positions[at] != found:
                at = -1
        if at >= 0 and start <= at and (stop is None or at < stop):
            return at
        raise ValueError("not among these rows")


def _nth_one(mask: bytes, nth: int) -> int:
    """Where the ``nth`` one (from 0) of ``mask`` is: by bisection over counts in C, 17 of
    them at 88,330 rows."""
    low, high = 0, len(mask)
    while low < high:
        middle = (low + high) // 2
        if mask.count(1, 0, middle + 1) <= nth:
            low = middle + 1
        else:
            high = middle
    return low


def positions_in(mask: bytes, ones: int) -> array[int]:
    """Where ``mask`` (0 or 1 per byte) holds its ``ones`` ones: found by a search for each
    when they are few (2,680 of 88,330 in 1 ms), by one pass over every byte otherwise."""
    if ones == len(mask):
        return array("l", range(ones))
    if ones * 8 < len(mask):
        return array("l", map(re.Match.start, _ONE.finditer(mask)))
    return array("l", compress(range(len(mask)), mask))


_ONE = re.compile(b"\x01")


ROWS_KEPT = "list-rows-1"
"""The name the rows of each shard are kept under (``TableBuilder.derivation``): a new name
whenever a column is added or worked out otherwise."""
STORED = (*KEPT, *DERIVED)
"""The columns of a shard's rows as ``TableBuilder.derive`` gives and keeps them."""


_TEXT = frozenset({str})


def _plain(accepted: Accepted) -> frozenset[type]:
    assert isinstance(accepted, frozenset)  # a field the list keeps is one plain value
    return _TEXT if accepted == _TEXT else accepted


_STORED_TYPES: tuple[frozenset[type], ...] = (
    *(_plain(FIELD_TYPES[at]) for at in KEPT.values()),
    *(frozenset({int}) if name in ("share_count", "storage_gib")
      else frozenset({tuple}) if name == "tags" else _TEXT for name in DERIVED))
"""Each stored column's types."""
_TAGS = STORED.index("tags")
_KIND = STORED.index("kind")
_USAGE = STORED.index("usage")
_COMMON = STORED.index("common_text")
_USAGES = frozenset({"instance", "none"})
_ROW_KINDS = frozenset(KINDS) - {"all"}

Inputs = Callable[[], tuple[set[tuple[str, str]], SnapshotSizes]]
"""Reads what the rows' use and snapshot GiB are worked out from: the (region, image ID) of
the images instances run, and every snapshot's size."""


class TableBuilder:
    """Fills a ``RowTable``'s columns from the list fields of one shard after another, keeping
    only the rows the caller sees; what a row's cost needs is worked out here, its cost when
    the row is made.

    A shard's rows (``derive``) depend on the caller's account, on the instances and on the
    snapshots' sizes besides the shard: the store keeps them (``derivation``), and reads the
    instances and sizes (``inputs``) only when a shard's rows must be made again."""

    def __init__(self, account_id: str, costs: Costs, source: ImageSource,
                 inputs: Inputs) -> None:
        self.account_id = account_id
        self.costs = costs
        self.source = source
        self._inputs = inputs
        self._read: tuple[set[tuple[str, str]], SnapshotSizes] | None = None
        self.common: dict[tuple[str, ...], str] = {}
        self.common_texts: set[str] = set()
        """The distinct common texts of the rows so far."""
        self.tag_sets: dict[str, tuple[tuple[str, str], ...]] = {}
        """The tags of each distinct JSON text of them read so far."""
        self.columns: dict[str, list[Any]] = {name: [] for name in STORED}

    def __len__(self) -> int:
        return len(self.columns["image_id"])

    @property
    def read_inputs(self) -> bool:
        """Whether a shard's rows were made, so the instances and sizes read."""
        return self._read is not None

    def derivation(self, context: Sequence[Any],
                   inputs: Sequence[Any]) -> Derivation[list[list[Any]]]:
        """How the store makes, keeps and checks a shard's rows (``derive``, ``accept``);
        ``context``: what else they depend on (the region read); ``inputs``: the tables this
        builder's ``inputs`` function reads (a commit to one makes every kept row stale)."""
        return Derivation(ROWS_KEPT, [self.account_id, *context], inputs, self.derive,
                          self.accept)

    def extend(self, columns: list[list[Any]]) -> None:
        """Add a shard's rows, as ``derive`` gives them (or ``accept`` read them back)."""
        for values, name in zip(columns, STORED, strict=True):
            self.columns[name].extend(values)
        self.common_texts.update(columns[_COMMON])

    def derive(self, part: list[Column]) -> list[list[Any]]:
        """The rows the caller sees among one shard's list fields (``part``: a column per
        field, see ``document_fields``), a column per ``STORED`` name. What depends on fields
        with few distinct values is worked out once per distinct set of them."""
        if not part or not part[F.ID].values:
            return [[] for _ in STORED]
        kinds: list[Any] = per_distinct(self._kind, part[F.OWNER_KIND], part[F.OWNER_ID],
                                        part[F.PUBLIC], part[F.SHARED_WITH])
        if None in kinds:
            seen = list(map(is_not, kinds, repeat(None)))
            part = [kept(column, seen) for column in part]
            kinds = list(compress(kinds, seen))
        if self._read is None:
            self._read = self._inputs()
        used, sizes = self._read
        columns: dict[str, list[Any]] = {}
        for name, at in KEPT.items():
            column = part[at]
            shared = name in SHARED and column.codes is None
            columns[name] = list(map(_intern, column.values)) if shared else column.values
        columns["kind"] = kinds
        keys = zip(part[F.REGION].values, part[F.ID].values, strict=True)
        columns["usage"] = (["instance" if key in used else "none" for key in keys] if used
                            else list(repeat("none", len(kinds))))
        columns["os_text"] = per_distinct(
            os_text_of, part[F.OS_NAME], part[F.OS_NAME_EN], part[F.PLATFORM], part[F.OS_TYPE])
        columns["common_text"] = per_distinct(
            self._common_text, part[F.OS_NAME], part[F.OS_NAME_EN], part[F.DESCRIPTION],
            part[F.PLATFORM])
        if not self.read_tags(part):
            raise CatalogueError("a list projection holds tags that are not [key, value] "
                                 "pairs; remove the catalogue's .cache folder and it is "
                                 "made again")
        columns["tags"] = list(map(self.tag_sets.__getitem__, part[F.TAGS].values))
        columns["share_count"] = [
            len(accounts) if kind == "custom" else 0
            for kind, accounts in zip(kinds, part[F.SHARED_WITH].values, strict=True)]
        # The snapshot GiB the caller's own images hold, each snapshot counted once and a
        # disk whose snapshot is unknown at its own size (``fees.disks_gib``).
        found = map(sizes.lookup, part[F.DISK_SNAPSHOT].values)
        columns["storage_gib"] = [
            0 if kind != "custom" else disks_gib(disks, sizes) if disks
            else gib if size is None else size
            for kind, size, gib, disks in zip(kinds, found, part[F.DISK_GIB].values,
                                              part[F.DISKS].values, strict=True)]
        # Newest first, as the table orders them: the load's sort then merges 64 runs
        # (``table``), several times quicker than ordering the rows from scratch.
        order = sorted(range(len(kinds)), key=_sort_keys(columns["creation_time"],
                                                         columns["image_id"]).__getitem__,
                       reverse=True)
        if len(order) > 1 and any(map(int.__ne__, order, range(len(order)))):
            in_order = itemgetter(*order)  # a tuple of the values at once, in C
            return [list(in_order(columns[name])) for name in STORED]
        return [columns[name] for name in STORED]

    def accept(self, value: Any) -> list[list[Any]] | None:
        """A shard's rows read back as ``derive`` gave them; None unless they are a column of
        as many values of its types per ``STORED`` name, kinds and uses among those a row
        has and tags ``((key, value), ...)`` of text (a kept file written by hand)."""
        width = len(STORED)
        if (type(value) is not list or len(value) != width
                or countOf(map(type, value), list) != width):
            return None
        count = len(value[0])
        if countOf(map(len, value), count) != width:
            return None
        for column, types in zip(value, _STORED_TYPES, strict=True):
            if types is _TEXT:
                try:  # a C loop that stops at the first value that is not text
                    "".join(column)
                except TypeError:
                    return None
            elif len(types) == 1:
                if countOf(map(type, column), next(iter(types))) != count:
                    return None
            elif not types.issuperset(map(type, column)):
                return None
        if not _ROW_KINDS.issuperset(value[_KIND]) or not _USAGES.issuperset(value[_USAGE]):
            return None
        # The tags: a tuple of (key, value) pairs of text per row. Those kept are shared
        # objects (``marshal`` keeps them so, and ``_tag_sets`` shares the pairs and their
        # text), so each distinct one is checked once.
        sets = list({id(tags): tags for tags in value[_TAGS]}.values())
        pairs = list({id(pair): pair for pair in chain.from_iterable(sets)}.values())
        if (countOf(map(type, pairs), tuple) != len(pairs)
                or countOf(map(len, pairs), 2) != len(pairs)
                or countOf(map(type, chain.from_iterable(pairs)), str) != 2 * len(pairs)):
            return None
        return value

    def read_tags(self, part: list[Column]) -> bool:
        """Parse the tag sets of ``part`` (a shard's list fields) not seen before, all in one
        call; False when one is not ``[[key, value], ...]``: a kept projection written by
        hand with its checksum made again (``_tags_text`` makes them), which the store then
        reads again from the shard (``project_columns``'s ``check``)."""
        column, tag_sets = part[F.TAGS], self.tag_sets
        distinct = column.distinct if column.distinct is not None else dict.fromkeys(
            column.values)
        new = [text for text in distinct if text not in tag_sets]
        if not new:
            return True
        found = _tag_sets(new)
        if found is None:
            return False
        tag_sets.update(found)
        return True

    def _common_text(self, *key: str) -> str:
        return common_text_of(key, self.common)

    def _kind(self, owner_kind: str, owner_id: str, public: bool,
              shared_with: list[str]) -> str | None:
        account_id = self.account_id
        own = owner_id == account_id and owner_kind == "custom"
        return kind_from(owner_kind, owner_id, public, not own and account_id in shared_with,
                         account_id)

    def table(self, *, copy: bool = False) -> RowTable:
        """The rows so far, newest first (by creation time, then image ID); ``copy``: of
        copies of the columns (the builder goes on filling its own)."""
        columns = ({name: list(values) for name, values in self.columns.items()} if copy
                   else self.columns)
        keys = _sort_keys(columns["creation_time"], columns["image_id"])
        order = array("l", sorted(range(len(keys)), key=keys.__getitem__, reverse=True))
        return RowTable(columns, order, self.costs, self.source)


def _sort_keys(created: list[str], ids: list[str]) -> list[Any]:
    """What the rows are ordered by, newest first: creation time, then image ID."""
    if len(set(map(len, created))) <= 1:
        # One length of timestamp: the joined strings order as the pairs do, and sorting
        # strings is several times quicker than sorting tuples.
        return list(map(add, created, ids))
    return list(zip(created, ids, strict=True))


class _Timed:
    """What an image's live state is worked out from (``visibility.Timed``)."""

    __slots__ = ("creation_time", "pending_end", "pending_start", "status")

    def __init__(self, creation_time: str, pending_start: float, pending_end: float,
                 status: str) -> None:
        self.creation_time = creation_time
        self.pending_start = pending_start
        self.pending_end = pending_end
        self.status = status


def live_states(column: Callable[[str], list[Any]], now: float) -> list[tuple[str, int]]:
    """The live (status, progress percent) of each row of the columns ``column`` gives; a row
    with no pending window (most) is its stored status, done."""
    found: list[tuple[str, int]] = []
    append = found.append
    for created, start, end, status in zip(column("creation_time"), column("pending_start"),
                                           column("pending_end"), column("status"),
                                           strict=True):
        if end:
            live, progress, _ = state(_Timed(created, start, end, status), now)
            append((live, progress))
        else:
            append((status, 100))
    return found


def states_of(rows: Sequence[ImageRow], now: float) -> list[tuple[str, int]]:
    """The live (status, progress percent) of ``rows``, without making a table's rows."""
    if isinstance(rows, RowTable):
        return rows.states(now)
    return [row_state(row, now) for row in rows]


def per_distinct(work: Callable[..., Any], *columns: Column) -> list[Any]:
    """``work`` of each row's values of ``columns``, called once per distinct set of them:
    the rest is C loops (keys, first rows, lookups), not a Python loop over the rows.
    Values equal in Python are one value (1, 1.0 and True), unless their column has codes."""
    keys: Sequence[Any] = (columns[0].keys() if len(columns) == 1
                           else list(zip(*[c.keys() for c in columns], strict=True)))
    found = coded(keys)
    answers = [work(*[c.values[at] for c in columns]) for at in found.first_rows()]
    return list(map(answers.__getitem__, found.codes))


def _tag_sets(texts: list[str]) -> dict[str, tuple[tuple[str, str], ...]] | None:
    """The tags as the rows hold them, for each of ``texts`` (JSON, '' for none), parsed in
    one call: one tuple per distinct set, made of one tuple per distinct pair (so a shard's
    rows are kept with each set, pair and text once); None when a text is not ``[[key,
    value], ...]``."""
    if len(_PAIRS) > _PAIRS_KEPT:
        _PAIRS.clear()
    try:
        parsed = orjson.loads("[" + ",".join(text or "[]" for text in texts) + "]")
    except orjson.JSONDecodeError:
        return None
    if not (isinstance(parsed, list) and len(parsed) == len(texts)
            and countOf(map(type, parsed), list) == len(parsed)):
        return None
    pairs = list(chain.from_iterable(parsed))
    if (countOf(map(type, pairs), list) != len(pairs)
            or countOf(map(len, pairs), 2) != len(pairs)
            or countOf(map(type, chain.from_iterable(pairs)), str) != 2 * len(pairs)):
        return None
    # Each pair made once, in C loops: a pair seen before (in this load or an earlier one)
    # is that pair, with its texts.
    made = list(map(tuple, pairs))
    shared = iter(map(_PAIRS.setdefault, made, made))
    sets = [tuple(islice(shared, size)) for size in map(len, parsed)]
    return dict(zip(texts, map(shared_tags, sets), strict=True))


_PAIRS: dict[tuple[str, ...], Any] = {}
"""Each distinct (key, value) pair of tags (at most ``_PAIRS_KEPT``)."""
_PAIRS_KEPT = 1 << 16


def key_index(rows: Sequence[ImageRow], key: str) -> int:
    """Where the image ``key`` (``region/image ID``) is among ``rows`` (ValueError: not
    there); in a table, or some rows of one, without making every row's key."""
    if isinstance(rows, RowTable):
        return rows.key_index(key)
    if isinstance(rows, RowsAt) and isinstance(rows.all_rows, RowTable):
        return rows.index(rows.all_rows[rows.all_rows.key_index(key)])
    return columns_of(rows, "key").index(key)


def columns_of(rows: Sequence[ImageRow], name: str) -> list[Any]:
    """Column ``name`` of ``rows`` in their order: read from a table (or some of its rows)
    without making its rows."""
    if isinstance(rows, RowTable):
        return rows.column(name)
    if isinstance(rows, RowsAt) and isinstance(rows.all_rows, RowTable):
        return list(map(rows.all_rows.column(name).__getitem__, rows.positions))
    getter: Callable[[ImageRow], Any] = (
        (lambda row: row.key) if name == "key" else (lambda row: getattr(row, name)))
    return list(map(getter, rows))


def unchanging(rows: Sequence[ImageRow]) -> Sequence[ImageRow]:
    """``rows`` themselves when nothing changes them (a table, or some rows of one), else a
    copy: a table of 100,000 rows is kept as it is, not made into a list of rows."""
    return rows if isinstance(rows, RowTable | RowsAt) else list(rows)
