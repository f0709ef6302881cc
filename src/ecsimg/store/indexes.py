"""Indexes of the images table, kept on disk in the same commit as the images they index.

Two derived tables, written through the same journal as the images (so a crash at any point
leaves data and index agreeing, and a replay rewrites both):

- ``image_rows``: per image, the few fields DescribeImages filters and sorts on, sharded by
  region and by the image's own shard (``<region>~<shard>``), so listing a region reads that
  region's rows only and a commit rewrites one small file;
- ``image_shares``: per shared image, the accounts it is shared with, sharded as the images,
  so counting what an account receives (Rule 52) reads the few shared images only.

``meta.json`` records, under ``indexed``, the stamp of each images shard the indexes were
derived from. A shard whose file no longer has that stamp (edited by hand, restored from a
copy, or an index from an older ecsimg) is read from the images themselves and its index
entries are rewritten by the next commit.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from ecsimg.domain import models as m
from ecsimg.domain.errors import CatalogueError
from ecsimg.store.codec import codec_for
from ecsimg.store.tables import IMAGE_ROWS, IMAGE_SHARES, IMAGES, region_of

SPANS = "image_spans"
"""Folder of one file per images shard: where each image's document starts and ends in it,
so one image is read without parsing its whole shard (a page of 100 images would otherwise
parse most of the 64 shards)."""

SpanLookup = Callable[[str], "list[int] | None"]
"""Where an image sits in its shard file ([start, end] in bytes), or None if it is not there."""
_SPANS_HEAD = b'{"stamp":['
_SPANS_BODY = b',"spans":{'


SPANS_HEAD_BYTES = 96
"""Enough of a spans file's start to hold the stamp it names."""


def spans_stamp(start: bytes) -> tuple[int, ...] | None:
    """The stamp a spans file names, from its first bytes; None if they do not hold it."""
    close = start.find(b"]")
    if not start.startswith(_SPANS_HEAD) or not start.startswith(_SPANS_BODY, close + 1):
        return None
    stamp = orjson.loads(start[len(_SPANS_HEAD) - 1:close + 1])
    return tuple(stamp) if isinstance(stamp, list) else None


def read_spans(data: bytes) -> tuple[tuple[int, ...], SpanLookup]:
    """(the stamp of the shard file a spans file describes, a lookup of its entries).

    Entries are found in the bytes, not parsed: a page of 100 images touches most of the 64
    spans files but needs only 100 of their entries. A file laid out otherwise is parsed.
    """
    close = data.find(b"]")
    if data.startswith(_SPANS_HEAD) and data.startswith(_SPANS_BODY, close + 1):
        stamp = tuple(orjson.loads(data[len(_SPANS_HEAD) - 1:close + 1]))

        def lookup(key: str) -> list[int] | None:
            needle = orjson.dumps(key) + b":["
            at = data.find(needle, close)
            if at < 0:
                return None
            start = at + len(needle) - 1
            span: list[int] = orjson.loads(data[start:data.index(b"]", start) + 1])
            return span

        return stamp, lookup
    found = orjson.loads(data)
    spans: dict[str, list[int]] = found["spans"]
    if not isinstance(spans, dict):
        raise TypeError("spans is not an object")
    return tuple(found["stamp"]), spans.get


ROW_FIELDS = (
    "image_id", "creation_time", "owner_kind", "owner_id", "is_public", "status",
    "pending_start", "pending_end", "os_type", "architecture", "image_name", "image_family",
    "resource_group_id", "is_support_cloudinit", "is_support_io_optimized",
)
"""The image fields a listing row keeps (plus the accounts it is shared with)."""


def row_doc(key: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The stored listing row of an image document: its fields in ROW_FIELDS order, the
    accounts it is shared with, its key."""
    defaults = codec_for(m.Image).defaults
    fields = [doc.get(name, defaults.get(name)) for name in ROW_FIELDS]
    fields.append([share["account_id"] for share in doc.get("shares", ())])
    fields.append(key)
    return {"r": fields}


def shares_doc(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored share entry of an image document (None when it is shared with nobody)."""
    if doc is None:
        return None
    accounts = [share["account_id"] for share in doc.get("shares", ())]
    return {"a": accounts} if accounts else None


def derived_ops(ops: Iterable[list[Any]]) -> list[list[Any]]:
    """The index operations that keep the indexes in step with ``ops`` on the images."""
    derived: list[list[Any]] = []
    for name, key, doc in ops:
        if name != IMAGES.name:
            continue
        derived.append([IMAGE_ROWS.name, key, None if doc is None else row_doc(key, doc)])
        derived.append([IMAGE_SHARES.name, key, shares_doc(doc)])
    return derived


def rebuild_ops(shard: str, images: dict[str, Any], rows: dict[str, Any],
                shared: dict[str, Any]) -> list[list[Any]]:
    """Operations that make the index entries of images shard ``shard`` match ``images``,
    given the entries the index holds now (``rows``, ``shared``: key -> document): only the
    entries that differ, so a copied catalogue, whose indexes are right but whose files are
    all new, has nothing to rewrite."""
    ops: list[list[Any]] = [[IMAGES.name, key, doc] for key, doc in images.items()]
    rebuilt = derived_ops(ops)
    rebuilt += [[IMAGE_ROWS.name, key, None] for key in rows if key not in images]
    rebuilt += [[IMAGE_SHARES.name, key, None] for key in shared if key not in images]
    held = {IMAGE_ROWS.name: rows, IMAGE_SHARES.name: shared}

    def differs(op: list[Any]) -> bool:
        name, key, doc = op
        return key in held[name] if doc is None else held[name].get(key) != doc

    return [op for op in rebuilt if IMAGES.shard_of(op[1]) == shard and differs(op)]


class _Recipient:
    """An account an image is shared with, as the rules read it from a row."""

    __slots__ = ("account_id",)

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id


class ListingRow(tuple[Any, ...]):
    """An image as a listing row: the fields of ROW_FIELDS, then its recipients and its key.

    A tuple read by named properties: a listing builds one per image of the region, and a
    tuple is made at C speed from the stored list.
    """

    __slots__ = ()

    image_id: str
    creation_time: str
    owner_kind: str
    owner_id: str
    is_public: bool
    status: str
    pending_start: float
    pending_end: float
    os_type: str
    architecture: str
    image_name: str
    image_family: str
    resource_group_id: str
    is_support_cloudinit: bool
    is_support_io_optimized: bool

    @property
    def key(self) -> str:
        key: str = self[_KEY_AT]
        return key

    @property
    def region_id(self) -> str:
        return region_of(self.key)

    @property
    def shares(self) -> tuple[_Recipient, ...]:
        accounts = self[_ACCOUNTS_AT]
        return tuple(_Recipient(a) for a in accounts) if accounts else ()


for _at, _name in enumerate(ROW_FIELDS):
    setattr(ListingRow, _name, property(operator.itemgetter(_at)))
_ACCOUNTS_AT = len(ROW_FIELDS)
_KEY_AT = _ACCOUNTS_AT + 1


class Listing(list[ListingRow]):
    """A region's rows, with a memo for what callers derive from them: the repository hands
    out the same Listing until a commit changes the region, so a long-running server can
    reuse a sorted match instead of redoing it per request."""

    def __init__(self, rows: Iterable[ListingRow]) -> None:
        super().__init__(rows)
        self.memo: dict[Any, Any] = {}


def row_of(key: str, doc: dict[str, Any]) -> ListingRow:
    """The listing row of an image document (for a shard whose index is stale)."""
    return ListingRow(row_doc(key, doc)["r"])


def rows_of(docs: dict[str, Any]) -> list[ListingRow]:
    """The rows of a stored rows shard."""
    return [ListingRow(doc["r"]) for doc in docs.values()]


def count_received(shared: Iterable[list[str]], wanted: set[str]) -> dict[str, int]:
    """How many images each account in ``wanted`` receives, from the share entries."""
    received = dict.fromkeys(wanted, 0)
    for accounts in shared:
        for account_id in accounts:
            if account_id in received:
                received[account_id] += 1
    return received


# -- rows files laid out for reading a prefix ------------------------------------------------

_PENDING_END_AT = ROW_FIELDS.index("pending_end")
_HEAD_START = b'{"summary":'
_HEAD_END = b',"image_rows":{'
_TAIL = b"\n}}"
_FIRST_CHUNK = 32
"""Rows parsed at first from a file read lazily: a page of 100 over 64 files needs a few
(about 26 of each at 100,000 images; 32 took 8 ms less than 64 for such a page)."""


def _age(row: Any) -> tuple[str, str]:
    return row[1], row[0]  # creation_time, image_id: the listing's order, read backwards


def is_plain(row: Any) -> bool:
    """Whether a row is shared with nobody and has no pending window: every such row with the
    same owner, visibility and status answers every scope and status filter alike."""
    return not row[_ACCOUNTS_AT] and not row[_PENDING_END_AT]


def group_of(row: Any) -> tuple[Any, ...]:
    """What a plain row is counted under in a rows file's summary."""
    return row[2], row[3], row[4], row[5]  # owner_kind, owner_id, is_public, status


def encode_rows(docs: dict[str, Any]) -> bytes:
    """A rows shard's file: TinyDB JSON (table ``image_rows``) laid out for reading a prefix.

    The first line is a summary (the plain rows counted by owner, visibility and status, one
    of each kept as its example, and every other row in full), then one row a line, newest
    first. A listing reads the summaries for its count and parses rows only as far as its page
    goes; any JSON reader still reads the file whole.
    """
    ordered = sorted(docs.items(), key=lambda item: _age(item[1]["r"]), reverse=True)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    special: list[Any] = []
    accounts_at, pending_at = _ACCOUNTS_AT, _PENDING_END_AT
    for _key, doc in ordered:  # inline, not is_plain and group_of: a commit runs this
        row = doc["r"]
        if row[accounts_at] or row[pending_at]:
            special.append(row)
            continue
        group = groups.get((row[2], row[3], row[4], row[5]))
        if group is None:
            groups[(row[2], row[3], row[4], row[5])] = [1, row]
        else:
            group[0] += 1
    head = orjson.dumps({"groups": list(groups.values()), "special": special})
    lines = [orjson.dumps(key) + b":" + orjson.dumps(doc) for key, doc in ordered]
    return b"".join((_HEAD_START, head, _HEAD_END, b"\n", b",\n".join(lines), _TAIL))


class RowsPart:
    """One rows file of a region, newest first, parsed as far as it is read.

    It may hold only the start of the file (``rest`` reads the whole of it when the rows
    read go further): a page of 100 over 64 files needs a few rows of each.
    """

    def __init__(self, groups: list[tuple[int, ListingRow]], special: list[ListingRow],
                 data: bytes = b"", at: int = 0, rows: list[ListingRow] | None = None,
                 rest: Callable[[], bytes] | None = None, source: str = "") -> None:
        self.source = source
        """The file it is read from, for a message about a damaged row."""
        self.groups = groups
        self.special = special
        self._data = data
        self._at = at
        """Where the rows not parsed yet start in ``data``."""
        self._rest = rest
        self._end = len(data) if rest is not None else len(data) - len(_TAIL)
        self._rows = rows if rows is not None else []

    def __iter__(self) -> Iterator[ListingRow]:
        at = 0
        chunk = _FIRST_CHUNK
        while True:
            while at < len(self._rows):
                yield self._rows[at]
                at += 1
            if self._at >= self._end and self._rest is None:
                return
            self._parse(chunk)
            chunk *= 4

    def _parse(self, lines: int) -> None:
        """Parse the next ``lines`` rows (one orjson call), or all that are left."""
        data, upto = self._data, self._at
        for _ in range(lines):
            found = data.find(b"\n", upto + 1)
            if found < 0 or found >= self._end:
                if self._rest is not None:  # the rows go on past what was read
                    self._data, self._rest = self._rest(), None
                    self._end = len(self._data) - len(_TAIL)
                    self._parse(lines)
                    return
                upto = self._end
                break
            upto = found
        body = data[self._at:upto].strip().rstrip(b",")
        try:
            rows = [ListingRow(doc["r"])
                    for doc in orjson.loads(b"{" + body + b"}").values()] if body else []
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
            raise CatalogueError(f"{self.source}: a row is damaged ({err}); remove the file "
                                 "and the next write rebuilds it") from None
        self._at = upto
        self._rows.extend(rows)


def read_rows_part(data: bytes, rest: Callable[[], bytes] | None = None,
                   source: str = "") -> RowsPart | None:
    """A rows file read lazily (see ``encode_rows``) from ``data``, its start if ``rest``
    reads the whole file (else all of it); None for a file laid out otherwise, or a start
    too short to hold its summary."""
    head_end = data.find(b"\n")
    if not data.startswith(_HEAD_START) or head_end < 0 or \
            not data[:head_end].endswith(_HEAD_END) or (rest is None and not data.endswith(_TAIL)):
        return None
    head = orjson.loads(data[len(_HEAD_START):head_end - len(_HEAD_END)])
    groups = [(int(count), ListingRow(row)) for count, row in head["groups"]]
    special = [ListingRow(row) for row in head["special"]]
    return RowsPart(groups, special, data=data, at=head_end, rest=rest, source=source)


def part_of_rows(rows: Iterable[ListingRow]) -> RowsPart:
    """A part made from rows in memory (an index being repaired, the memory repository)."""
    ordered = sorted(rows, key=_age, reverse=True)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    special: list[ListingRow] = []
    for row in ordered:
        if not is_plain(row):
            special.append(row)
        elif (group := groups.get(group_of(row))) is None:
            groups[group_of(row)] = [1, row]
        else:
            group[0] += 1
    return RowsPart([(count, row) for count, row in groups.values()], special, rows=ordered)


class OrderedListing:
    """A region's rows newest first (by creation time, then image id), merged from presorted
    parts as far as a caller reads, with the plain rows counted by group (see ``is_plain``)."""

    def __init__(self, parts: list[RowsPart]) -> None:
        self._parts = parts

    @property
    def groups(self) -> Iterator[tuple[int, ListingRow]]:
        """(how many plain rows, one of them) per owner, visibility and status of each part."""
        for part in self._parts:
            yield from part.groups

    @property
    def special(self) -> Iterator[ListingRow]:
        """Every row that is not plain."""
        for part in self._parts:
            yield from part.special

    def newest(self) -> Iterator[ListingRow]:
        """Every row, newest first."""
        return heapq.merge(*self._parts, key=_age, reverse=True)
