"""Writing images to a file the user names: JSON in the DescribeImages shape, or CSV.

The records are DescribeImages' own (``Backend.image_records``); this module only lays them
out and writes them atomically: a temporary file beside the target, renamed over it only when
the user confirmed the overwrite, linked in place (failing if the name exists) otherwise.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMATS = {".json": "JSON", ".csv": "CSV"}


class ExportError(Exception):
    """The file cannot be written; the message is one line naming the file and the problem."""


class FileExists(ExportError):
    """The file exists and the user has not agreed to replace it."""


def format_of(path: Path) -> str:
    """JSON or CSV from the name's suffix; ExportError for any other."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ExportError(f"{path.name or path}: the name must end in .csv or .json")
    return found


def as_json(records: Sequence[dict[str, Any]]) -> bytes:
    """A DescribeImages response body holding every record on one page."""
    body = {"TotalCount": len(records), "PageNumber": 1, "PageSize": len(records),
            "Images": {"Image": list(records)}}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def as_csv(records: Sequence[dict[str, Any]]) -> bytes:
    """One row per image, one column per DescribeImages field (nested ones as JSON text)."""
    columns: list[str] = []
    for record in records:
        columns.extend(key for key in record if key not in columns)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column, "")) for column in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(records: Sequence[dict[str, Any]], path: Path) -> bytes:
    return as_json(records) if format_of(path) == "JSON" else as_csv(records)


def write_file(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` at ``path`` whole or not at all; FileExists unless ``overwrite``."""
    target = path.expanduser()
    if target.is_dir():
        raise ExportError(f"{target}: is a folder")
    if target.exists() and not overwrite:
        raise FileExists(f"{target} exists")
    folder = target.parent
    tmp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except OSError as err:
        raise ExportError(f"{target}: cannot write ({err.strerror or err})") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the name appeared meanwhile: never clobbers
    except FileExistsError:
        raise FileExists(f"{target} exists") from None
    except OSError as err:
        raise ExportError(f"{target}: cannot write ({err.strerror or err})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
