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


_DIGIT_E = re.compile(rb"[0-9]e")
_NUMBER = frozenset(b"0123456789.")
_SPACE, _NEWLINE, _COLON, _MINUS = (ord(c) for c in " \n:-")
_SAME_AS_JSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def to_json(body: Any) -> str:
    """``json.dumps(body, indent=2, ensure_ascii=False)``: orjson writes the same bytes for
    the strings, integers, booleans and plain floats of a response several times faster; a
    body it would write otherwise (a null, which is also how it writes NaN; an exponent; a
    float under 0.0001, which ``json`` writes with an exponent and orjson as ``0.0000...``)
    or cannot write goes to ``json``."""
    try:
        fast = orjson.dumps(body, option=_SAME_AS_JSON)
    except TypeError:
        fast = b"null"
    if b"null" not in fast and b"0.0000" not in fast and not _has_exponent(fast):
        return fast.decode() + "\n"
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _has_exponent(data: bytes) -> bool:
    """Whether ``data`` (JSON indented by 2) may hold a number written with an exponent,
    which orjson spells differently from ``json``: a digit and an ``e`` at a value's place
    (after ``": "``, or the spaces that begin a line). Only where a digit is followed by an
    ``e`` (a few IDs and names of a page) is the text before it looked at: a regular
    expression over the whole of a page of 100 images took 7 ms. A string that looks so
    only sends the body to ``json``, which writes the same bytes."""
    for found in _DIGIT_E.finditer(data):
        start = found.start()
        while start and data[start - 1] in _NUMBER:
            start -= 1
        if start and data[start - 1] == _MINUS:
            start -= 1
        if start >= 2 and data[start - 1] == _SPACE and data[start - 2] == _COLON:
            return True
        while start and data[start - 1] == _SPACE:
            start -= 1
        if start and data[start - 1] == _NEWLINE:
            return True
    return False


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
