"""Hostile files given to ``ecsimg load``: type, size, nesting, encoding.

Each is refused with one line naming the file, in bounded time and memory, and the catalogue is
unchanged. Run through the real command in a subprocess limited to 400 MB of address space.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ecsimg.service.images.load import MAX_FILE_BYTES, MAX_TOTAL_BYTES
from tests.cli.runner import cli_env, tree_bytes

MAX_SECONDS = 10.0
MAX_MEMORY = 400 << 20
"""The address space the command may use: past it, an allocation fails and the run would end
with an internal error instead of the refusal."""


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY, MAX_MEMORY))


def _fifo(path: Path) -> Path:
    os.mkfifo(path)  # nobody writes: a blocking open would hang
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _huge(path: Path) -> Path:
    with path.open("wb") as handle:
        handle.truncate(3 << 30)  # 3 GiB, sparse
    return path


def _deep(path: Path) -> Path:
    path.write_text("[" * 200_000 + "]" * 200_000)
    return path


def _deep_image(path: Path) -> Path:
    path.write_text('{"RegionId": "cn-hangzhou", "Images": {"Image": [' + "[" * 200_000
                    + "]" * 200_000 + "]}}")
    return path


def _deep_unclosed(path: Path) -> Path:
    path.write_text('{"RegionId": "cn-hangzhou", "Images": {"Image": [' + "[" * 200_000)
    return path


def _bad_utf8(path: Path) -> Path:
    path.write_bytes(b'{"RegionId": "cn-hangzhou\xff\xfe", "Images": {"Image": []}}')
    return path


def _utf16(path: Path) -> Path:
    path.write_text('{"RegionId": "cn-hangzhou", "Images": {"Image": []}}', encoding="utf-16")
    return path


def _binary(path: Path) -> Path:
    path.write_bytes(os.urandom(1 << 20))
    return path


def _long_string(path: Path) -> Path:
    path.write_text('{"RegionId": "' + "a" * (8 << 20) + '", "Images": {"Image": []}}')
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path] | str, str]] = {
    "/dev/zero": ("/dev/zero", "not a regular file (it is a device)"),
    "/dev/urandom": ("/dev/urandom", "not a regular file (it is a device)"),
    "FIFO": (_fifo, "not a regular file (it is a FIFO)"),
    "folder": (_folder, "not a regular file (it is a folder)"),
    "3 GiB sparse": (_huge, f"larger than {MAX_FILE_BYTES >> 20} MiB"),
    "nesting 200,000 deep": (_deep, "nested more than 1024 lists and objects deep"),
    "an image nested 200,000 deep": (_deep_image, "nested more than 1024 lists and objects"),
    "nesting 200,000 deep, never closed": (_deep_unclosed, "nested more than 1024 lists"),
    "invalid UTF-8": (_bad_utf8, "not valid JSON"),
    "UTF-16": (_utf16, "not valid JSON"),
    "random bytes": (_binary, "not valid JSON"),
    "an 8 MB region name": (_long_string, "'RegionId' is longer than"),
    "missing": ("/nonexistent/file.json", "cannot read"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_in_one_line(demo_db: Path, tmp_path: Path,
                                                       kind: str) -> None:
    make, says = HOSTILE[kind]
    path = Path(make) if isinstance(make, str) else make(tmp_path / "hostile")
    before = tree_bytes(demo_db)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecsimg", "load", str(path)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=cli_env(demo_db), preexec_fn=_bounded)
    try:
        out, err = proc.communicate(timeout=MAX_SECONDS * 3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"load of {kind} still running after {MAX_SECONDS * 3:.0f} s")
    elapsed = time.monotonic() - started
    lines = err.decode().splitlines()
    assert proc.returncode == 1, err
    assert out == b""
    assert len(lines) == 1 and lines[0].startswith(f"ecsimg: {path}:"), lines
    assert says in lines[0], lines[0]
    assert elapsed < MAX_SECONDS
    assert tree_bytes(demo_db) == before


def test_many_files_together_are_bounded_too(demo_db: Path, tmp_path: Path) -> None:
    from tests.cli.runner import run_ecsimg

    paths = []
    for n in range(3):
        path = tmp_path / f"part{n}.json"
        with path.open("wb") as handle:
            handle.truncate(MAX_TOTAL_BYTES // 2 - 1)  # sparse, under the one-file limit
        paths.append(str(path))
    before = tree_bytes(demo_db)
    result = run_ecsimg("load", *paths, db=demo_db)
    assert result.status == 1 and len(result.err.splitlines()) == 1, result.err
    assert f"more than {MAX_TOTAL_BYTES >> 20} MiB together" in result.err
    assert "part2.json" in result.err
    assert tree_bytes(demo_db) == before
