"""Saved DescribeImages responses on disk: checked before a load, read image by image during it.

A file is parsed as a stream (ijson over the yajl2 C parser), never whole: one image of it is
in memory at a time, so a merged listing of 100,000 images costs what a page costs to parse.
It is read twice: once for the response's top-level ``RegionId`` (which the API writes after
the images, and which every image's key needs), stopping as soon as it is found, then for the
images.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from ecsimg.service.images.load_fields import Fields, LoadError

MAX_FILE_BYTES = 256 << 20
"""Large enough for a merged listing of about 160,000 images (a page of 100 is about 150 KB);
the limit only stops absurd input, in bounded memory (a file is never read whole)."""
MAX_TOTAL_BYTES = MAX_FILE_BYTES
"""All the files of one load together: they are one transaction."""
READ_BYTES = 64 << 10
"""What the parser is fed at a time, and so how precisely a syntax error is placed."""
MAX_DEPTH = 1024
"""Deepest nesting of lists and objects accepted (a response nests 6 deep). The parser
names every value by its path, so 200,000 open brackets would cost gigabytes; orjson, which
read files whole before, refused past 1024 too."""
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_WHITESPACE = b" \t\r\n"
_OPENERS = b"[{"
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_MISSING = object()
_EVENT_TYPES = {"start_map": "an object", "start_array": "a list", "string": "a string",
                "number": "a number", "integer": "a number", "double": "a number",
                "boolean": "a boolean", "null": "null"}


@dataclasses.dataclass(frozen=True)
class ResponseFile:
    """A saved response checked to be a regular file within the limit; read when loaded."""

    path: Path
    size: int

    @property
    def source(self) -> str:
        return str(self.path)


def check(path: Path) -> ResponseFile:
    """The file, or LoadError naming it: only a regular file within MAX_FILE_BYTES is taken.
    It is opened without blocking and sized before anything is read: a FIFO, a device
    (``/dev/zero``) or a folder is refused at once."""
    with _opened(path) as (_, size):
        return ResponseFile(path, size)


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[tuple[int, int]]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise LoadError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        try:
            info = os.fstat(fd)
        except OSError as err:
            raise LoadError(f"{path}: cannot read ({err.strerror or err})") from None
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(f"{path}: not a regular file (it is {_kind(info.st_mode)})")
        if info.st_size > MAX_FILE_BYTES:
            raise LoadError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB, the most one "
                            "load reads; split the listing into several files and loads")
        yield fd, info.st_size
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


class _Reader:
    """The file as the parser reads it, counting the bytes handed out (for error positions)
    and refusing to read past MAX_FILE_BYTES (a file that grew since it was checked)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._handle: BinaryIO = os.fdopen(os.dup(fd), "rb", buffering=0)
        self.offset = 0
        self._depth = 0
        self._in_string = False
        self._carry = b""

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._handle.read(READ_BYTES if size < 0 else min(size, READ_BYTES))
        except OSError as err:
            raise LoadError(f"{self.path}: cannot read ({err.strerror or err})") from None
        data = data or b""
        self.offset += len(data)
        if self.offset > MAX_FILE_BYTES:
            raise LoadError(f"{self.path}: larger than {MAX_FILE_BYTES >> 20} MiB")
        self._check_depth(data)
        return data

    def _check_depth(self, data: bytes) -> None:
        """Follow the nesting depth of what the parser is about to read, outside strings
        (escapes removed first; a backslash ending a chunk waits for the next), and refuse
        past MAX_DEPTH before the parser gets there."""
        text = self._carry + data
        self._carry = b""
        if (len(text) - len(text.rstrip(b"\\"))) % 2:  # it escapes the next chunk's first
            text, self._carry = text[:-1], b"\\"
        parts = _ESCAPE.sub(b"", text).split(b'"')
        outside = b"".join(parts[1::2] if self._in_string else parts[0::2])
        if len(parts) % 2 == 0:
            self._in_string = not self._in_string
        opens = outside.count(b"[") + outside.count(b"{")
        closes = outside.count(b"]") + outside.count(b"}")
        if self._depth + opens > MAX_DEPTH:  # maybe deeper: follow it bracket by bracket
            depth = self._depth
            for byte in outside.translate(None, _NOT_BRACKETS):
                depth += 1 if byte in _OPENERS else -1
                if depth > MAX_DEPTH:
                    raise LoadError(f"{self.path}: nested more than {MAX_DEPTH} lists and "
                                    f"objects deep, before byte {self.offset}")
        self._depth += opens - closes

    def rewind(self) -> None:
        self._handle.seek(0)
        self.offset = self._depth = 0
        self._in_string = False
        self._carry = b""

    def close(self) -> None:
        self._handle.close()


@contextlib.contextmanager
def _parsing(file: ResponseFile) -> Iterator[_Reader]:
    """The file open for one pass; a syntax error anywhere becomes one LoadError line."""
    with _opened(file.path) as (fd, _):
        reader = _Reader(file.path, fd)
        try:
            yield reader
        except ijson.JSONError as err:
            raise LoadError(f"{file.path}: not valid JSON ({_first_line(err)}, before byte "
                            f"{reader.offset})") from None
        finally:
            reader.close()


def _first_line(err: Exception) -> str:
    text = str(err)
    if text[:2] in ("b'", 'b"'):  # the parser reports undecodable input as a bytes repr
        text = text[2:]
    return text.replace("\\n", "\n").split("\n", 1)[0].strip().rstrip(".") or "parse error"


def region_value(file: ResponseFile) -> Any:
    """The response's top-level ``RegionId`` (any JSON value), or a sentinel when it has
    none; LoadError when the file is not JSON or its top level is not an object."""
    with _parsing(file) as reader:
        first = _first_byte(reader)
        if first != b"{":
            _refuse_top_level(file, first)
        reader.rewind()
        for value in ijson.items(reader, "RegionId", use_float=True, buf_size=READ_BYTES):
            return value
    return _MISSING


def has_region(value: Any) -> bool:
    return value is not _MISSING


def _first_byte(reader: _Reader) -> bytes:
    while True:
        chunk = reader.read(READ_BYTES)
        if not chunk:
            return b""
        stripped = chunk.lstrip(_WHITESPACE)
        if stripped:
            return stripped[:1]


def _refuse_top_level(file: ResponseFile, first: bytes) -> None:
    """The file's top level is not an object: say it is not JSON, or what it is instead."""
    if not first:
        raise LoadError(f"{file.path}: not valid JSON (the file is empty)")
    with _parsing(file) as reader:
        for _ in ijson.basic_parse(reader, buf_size=READ_BYTES):
            pass  # the whole file, so a syntax error anywhere is named as one
    kind = {b"[": "a list", b'"': "a string", b"t": "a boolean", b"f": "a boolean",
            b"n": "null"}.get(first, "a number")
    raise LoadError(f"{file.path}: not a DescribeImages response (top level is {kind}, "
                    "not an object)")


def images(file: ResponseFile) -> Iterator[Any]:
    """The items of the response's ``Images.Image`` list, one by one, as parsed JSON."""
    with _parsing(file) as reader:
        yield from ijson.items(reader, "Images.Image.item", use_float=True,
                               buf_size=READ_BYTES)


def shape_problem(file: ResponseFile) -> LoadError | None:
    """Why a response with no image listed is not one (no ``Images``, or ``Images.Image``
    not a list), or None: an empty list, or no ``Images.Image`` in ``Images``, loads nothing."""
    found: dict[str, str] = {}
    with _parsing(file) as reader:
        for prefix, event, _ in ijson.parse(reader, buf_size=READ_BYTES):
            if prefix in ("Images", "Images.Image") and event != "map_key" and (
                    prefix not in found):
                found[prefix] = _EVENT_TYPES.get(event, event)
                if prefix == "Images.Image" or found[prefix] not in ("an object", "null"):
                    break
    top = Fields({}, file.source)
    if "Images" not in found:
        return LoadError(f"{file.source}: not a DescribeImages response (no Images.Image list)")
    if found["Images"] not in ("an object", "null"):
        return top.problem("Images", f"is {found['Images']}, not an object")
    inner = found.get("Images.Image")
    if inner is not None and inner not in ("a list", "null"):
        return top.problem("Images.Image", f"is {inner}, not a list")
    return None
