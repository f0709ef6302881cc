"""Writing results: API JSON on stdout, errors on stderr, plain aligned tables."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

import orjson


def write(stream: TextIO, text: str) -> None:
    """Write UTF-8 whatever the locale says, so Chinese names survive ``LANG=C``."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8", errors="backslashreplace"))
    buffer.flush()


_EXPONENT = re.compile(rb"(?:: |\n *)-?[0-9.]+e")
"""A number written with an exponent, which orjson spells differently from ``json``."""
_SAME_AS_JSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def to_json(body: Any) -> str:
    """``json.dumps(body, indent=2, ensure_ascii=False)``: orjson writes the same bytes for
    the strings, integers, booleans and plain floats of a response several times faster; a
    body it would write otherwise (a null, which is also how it writes NaN, or an exponent)
    or cannot write goes to ``json``."""
    try:
        fast = orjson.dumps(body, option=_SAME_AS_JSON)
    except TypeError:
        fast = b"null"
    if b"null" not in fast and not _EXPONENT.search(fast):
        return fast.decode() + "\n"
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def print_json(body: Any) -> None:
    """A response body as the real API prints it, indented 2, non-ASCII kept readable."""
    write(sys.stdout, to_json(body))


def print_error_json(body: dict[str, object]) -> None:
    """An API error body on stderr, as one JSON object."""
    write(sys.stderr, json.dumps(body, ensure_ascii=False) + "\n")


def print_line(text: str, stream: TextIO | None = None) -> None:
    write(stream or sys.stdout, text + "\n")


def fail(message: str) -> None:
    """One line on stderr, prefixed ``ecsimg:``; control characters cannot break the line."""
    print_line(f"ecsimg: {one_line(message)}", sys.stderr)


def one_line(text: str) -> str:
    return "".join(ch if ch.isprintable() else _placeholder(ch) for ch in text)


def _placeholder(ch: str) -> str:
    return "\\n" if ch == "\n" else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def cell_width(text: str) -> int:
    """Terminal columns: wide and fullwidth (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table, columns aligned by terminal width, two spaces apart."""
    cells = [[one_line(c) for c in headers], *[[one_line(c) for c in row] for row in rows]]
    widths = [max(cell_width(row[col]) for row in cells) for col in range(len(headers))]
    lines = []
    for row in cells:
        padded = [c + " " * (w - cell_width(c)) for c, w in zip(row, widths, strict=True)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"
