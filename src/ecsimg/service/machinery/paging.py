"""What DescribeInstances, DescribeDisks and DescribeSnapshots share: tag filters and paging.

Two ways to page, as the real API: PageNumber/PageSize, or MaxResults with the NextToken the
previous page returned. A token names the last item shown, so a page starts right after it
even when items were added or removed in between: no duplicates, no gaps.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ecsimg.domain.errors import ApiError, invalid
from ecsimg.domain.models import Tag
from ecsimg.service.machinery.params import Param, Request, paging

T = TypeVar("T")

MAX_TAG_FILTERS = 20

TAG_FILTER_PARAMS = (Param("Tag.N.Key"), Param("Tag.N.Value"))
TOKEN_PARAMS = (Param("MaxResults", int), Param("NextToken"))
PAGE_PARAMS = (Param("PageNumber", int), Param("PageSize", int))


def tag_filters(req: Request) -> list[tuple[str, str | None]]:
    """``Tag.N`` filters as (key, value); the value is None when only the key was given."""
    records = req.records("Tag")
    if len(records) > MAX_TAG_FILTERS:
        raise ApiError("InvalidTagCount", f"At most {MAX_TAG_FILTERS} tag filters are allowed.")
    found: list[tuple[str, str | None]] = []
    for n, fields in records:
        key = fields.get("Key", "")
        if not key:
            raise ApiError("InvalidTagKey.Malformed", f"Tag.{n}.Key must not be empty.")
        found.append((key, fields.get("Value")))
    return found


def has_tags(tags: Sequence[Tag], wanted: Sequence[tuple[str, str | None]]) -> bool:
    """True when every wanted tag is present (with that value, when one was given)."""
    return all(any(t.key == key and (value is None or t.value == value) for t in tags)
               for key, value in wanted)


def tags_to_api(tags: Sequence[Tag]) -> dict[str, list[dict[str, str]]]:
    return {"Tag": [{"TagKey": t.key, "TagValue": t.value} for t in tags]}


@dataclass(frozen=True)
class TokenLimits:
    """An action's MaxResults rule: a value below ``floor`` means ``default``, above ``cap``
    means ``cap``, as the SDK documents for DescribeInstances and DescribeDisks."""

    default: int
    floor: int
    cap: int


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the fields of the reply that describe it."""

    items: list[T]
    total: int
    page_number: int
    page_size: int
    next_token: str

    def reply_fields(self) -> dict[str, int | str]:
        return {"TotalCount": self.total, "PageNumber": self.page_number,
                "PageSize": self.page_size, "NextToken": self.next_token}


def page(req: Request, ordered: Sequence[T], key: Callable[[T], tuple[str, str]],
         limits: TokenLimits) -> Page[T]:
    """The requested page of ``ordered`` (sorted by ``key``, descending).

    MaxResults or NextToken selects token paging; otherwise PageNumber/PageSize apply.
    """
    if not (req.has("MaxResults") or req.has("NextToken")):
        number, size = paging(req)
        start = (number - 1) * size
        return Page(list(ordered[start:start + size]), len(ordered), number, size, "")
    wanted = req.int("MaxResults")
    if wanted is None or wanted < limits.floor:
        wanted = limits.default
    wanted = min(wanted, limits.cap)
    start = 0
    if req.has("NextToken"):
        after = _decode(req.str("NextToken"))
        start = next((i for i, item in enumerate(ordered) if key(item) < after), len(ordered))
    shown = list(ordered[start:start + wanted])
    more = start + wanted < len(ordered)
    token = _encode(key(shown[-1])) if more and shown else ""
    return Page(shown, len(ordered), 1, wanted, token)


def _encode(position: tuple[str, str]) -> str:
    text = "\n".join(position).encode("utf-8")
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def _decode(token: str) -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    first, separator, second = text.partition("\n")
    if not separator or "\n" in second:
        raise invalid("NextToken", "it is not a token a previous page returned",
                      "InvalidParameter.NextToken")
    return first, second
