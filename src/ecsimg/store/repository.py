"""The repository protocol the service depends on; TinyDB is one implementation of it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ecsimg.store.columns import Accepted, Column, Derivation
from ecsimg.store.indexes import ListingRow, OrderedListing
from ecsimg.store.tables import Table

T = TypeVar("T")
R = TypeVar("R")
D = TypeVar("D")


class View(Protocol):
    """A consistent read of the catalogue."""

    def get(self, table: Table[T], key: str) -> T | None: ...

    def get_many(self, table: Table[T], keys: Iterable[str]) -> dict[str, T | None]:
        """``get`` of each key (None where there is none), without keeping in memory what
        was not there already: a load of 100,000 images need not hold the catalogue's."""
        ...

    def all(self, table: Table[T]) -> list[T]: ...

    def group(self, table: Table[T], group: str) -> list[T]:
        """Records of a grouped table in one group (images of one region)."""
        ...

    def iter_group(self, table: Table[T], group: str) -> Iterator[T]: ...

    def listing(self, region_id: str) -> list[ListingRow] | None:
        """The region's images as listing rows (the fields DescribeImages filters and sorts
        on), or None where no index answers (then scan the images)."""
        ...

    def ordered(self, region_id: str) -> OrderedListing | None:
        """The region's listing rows newest first (by creation time, then image id), read as
        far as the caller goes, with the rows counted by group; None where no index answers."""
        ...

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        """How many images each of ``account_ids`` receives, over every region."""
        ...

    def scan(self, table: Table[T], group: str) -> list[T]:
        """A group's records for reading fields only (they may be lazy stand-ins); use
        ``get`` for the record itself."""
        ...


class Transaction(View, Protocol):
    """A read-modify-write that is applied whole or not at all."""

    def put(self, table: Table[T], obj: T) -> None: ...

    def delete(self, table: Table[T], key: str) -> None: ...


class Repository(Protocol):
    """Where the catalogue lives. Every method is safe from any thread."""

    @property
    def location(self) -> Path: ...

    def read(self) -> AbstractContextManager[View]: ...

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def preload(
        self, table: Table[T], progress: Callable[[int, int, View], None] | None = None
    ) -> None:
        """Load a table ahead of use, reporting (done, total, partial view) as it goes."""
        ...

    def project(self, table: Table[Any], group: str | None,
                extract: Callable[[str, Any], R | None],
                collect: Callable[[list[R], int, int], None], *,
                cache: str | None = None) -> None:
        """``extract(key, document)`` of every record of ``group`` (of the table when None),
        in one consistent read, passing what it returns (None left out) to ``collect(values,
        done, total)`` a part at a time (a shard; ``done`` of ``total`` parts).

        The document is the record as ``table.codec`` encodes it (fields at their default
        left out), not a record: a list of 100,000 images needs a few fields of each, not
        100,000 decoded records in memory. An ``extract`` that finds a document malformed
        raises TypeError, ValueError, KeyError or AttributeError; the catalogue error names
        the record.

        With ``cache``, a name that changes whenever ``extract`` does, an implementation
        may keep what ``extract`` gave and reuse it while the records are unchanged:
        ``extract`` must then depend on the document alone and give JSON values (lists, not
        tuples).
        """
        ...

    def project_columns(self, table: Table[Any], group: str | None,
                        extract: Callable[[str, Any], list[Any] | None],
                        types: Sequence[Accepted],
                        collect: Callable[[list[Column], int, int], None], *,
                        cache: str | None = None,
                        check: Callable[[list[Column]], bool] | None = None) -> None:
        """``project`` with ``extract`` giving a field per entry of ``types`` per document,
        each part passed to ``collect`` as a column per field (``store.columns``); a field
        with few distinct values in a part may come with them and codes.

        ``types`` are the types each field's values may have. What ``extract`` gives is
        passed on as it is; what was kept is used only when its values are of those types
        and ``check`` (if any) accepts the part (else the part is extracted again), and
        values of other types are never kept."""
        ...

    def project_derived(self, table: Table[Any], group: str | None,
                        extract: Callable[[str, Any], list[Any] | None],
                        types: Sequence[Accepted], derivation: Derivation[D],
                        collect: Callable[[D, int, int], None], *,
                        cache: str | None = None,
                        check: Callable[[list[Column]], bool] | None = None,
                        only: Collection[str] | None = None,
                        later: list[Callable[[], None]] | None = None) -> None:
        """``project_columns`` with ``derivation.make`` of each part passed to ``collect``
        instead of the part. A repository may keep what ``make`` gave and pass it on while
        neither the part's records nor any record of ``derivation.inputs`` changed, once
        ``derivation.accept`` took it back (``projections``). ``only``: the parts of these
        shards (``Table.shard_of``) are enough; others may be passed on too. With ``later``,
        what is to be kept may instead be kept by a function added to it, which the caller
        calls when it has time."""
        ...

    def field_values(self, table: Table[T], field: str, keys: Iterable[str]) -> dict[str, Any]:
        """One field of the records under ``keys`` (None for a missing record), without
        keeping records in memory that were not there already."""
        ...

    def refresh(self) -> bool:
        """Pick up other processes' commits; True when something changed."""
        ...

    def is_empty(self) -> bool: ...

    def close(self) -> None: ...
