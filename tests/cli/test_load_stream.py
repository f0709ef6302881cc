"""``ecsimg load`` of listings larger than the 32 MiB it once read whole: streamed, checked
image by image, written in one commit that a kill leaves before or after, never between."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ecsimg.store.tinystore import TinyRepository
from tests.cli.runner import cli_env, run_ecsimg, tree_bytes
from tests.store.index_checks import index_disagreements

IMAGES = 3000
"""More than the transaction keeps as records (PACK_AFTER): the rest go as documents."""
OLD_LIMIT = 32 << 20
HZ = "cn-hangzhou"


def _image(n: int) -> dict[str, Any]:
    return {"ImageId": f"m-stream{n:012d}", "ImageName": f"streamed-{n}",
            "ImageOwnerAlias": "self", "Size": 40, "OSName": "Alibaba Cloud Linux 3",
            "Tags": {"Tag": [{"TagKey": "batch", "TagValue": str(n % 7)}]},
            "DiskDeviceMappings": {"DiskDeviceMapping": [
                {"Device": "/dev/xvda", "Type": "system", "Size": "40"}]}}


def _listing(path: Path, images: list[dict[str, Any]], padding: int = 0,
             tail: bytes = b'"RegionId": "cn-hangzhou", "TotalCount": 0}') -> Path:
    """A merged DescribeImages response, its RegionId after the images as the API writes it,
    ``padding`` bytes of blank space between (valid JSON: a large file, quick to load)."""
    with path.open("wb") as out:
        out.write(b'{"RequestId": "R", "Images": {"Image": [')
        out.write(b",".join(json.dumps(image).encode() for image in images))
        out.write(b"]},")
        out.write(b" " * padding)
        out.write(tail)
    return path


def _loaded_ids(db: Path) -> set[str]:
    from ecsimg.store import tables

    with TinyRepository(db).read() as view:
        return {i.image_id for i in view.group(tables.IMAGES, HZ)
                if i.image_id.startswith("m-stream")}


def test_a_listing_larger_than_the_old_limit_loads_whole(demo_db: Path,
                                                         tmp_path: Path) -> None:
    images = [_image(n) for n in range(IMAGES)]
    path = _listing(tmp_path / "merged.json", images, padding=OLD_LIMIT)
    assert path.stat().st_size > OLD_LIMIT
    result = run_ecsimg("load", str(path), db=demo_db)
    assert result.status == 0, result.err
    assert result.out == f"loaded {IMAGES} images from 1 file: {IMAGES} added, 0 updated\n"
    assert _loaded_ids(demo_db) == {i["ImageId"] for i in images}
    assert index_disagreements(demo_db) == []
    found = run_ecsimg("api", "DescribeImages", "--ImageId", "m-stream000000002999",
                       db=demo_db).json()["Images"]["Image"]
    assert [(i["ImageName"], i["Tags"]["Tag"]) for i in found] == [
        ("streamed-2999", [{"TagKey": "batch", "TagValue": "3"}])]
    again = run_ecsimg("load", str(path), db=demo_db)
    assert again.out.endswith(f": 0 added, {IMAGES} updated\n"), again.err
    assert index_disagreements(demo_db) == []


@pytest.mark.parametrize(("damage", "says"), [
    ("field", f"Images.Image[{IMAGES - 10}] (m-stream{IMAGES - 10:012d}): field 'Size' is a "
              "string, not an integer"),
    ("truncated", "not valid JSON (parse error: premature EOF, before byte"),
    ("no region", "field 'RegionId' is missing"),
])
def test_a_problem_deep_in_a_large_file_is_one_line_and_nothing_is_written(
        demo_db: Path, tmp_path: Path, damage: str, says: str) -> None:
    images = [_image(n) for n in range(IMAGES)]
    if damage == "field":
        images[IMAGES - 10]["Size"] = "forty"
    path = _listing(tmp_path / "bad.json", images, padding=1 << 20,
                    tail=b'"TotalCount": 0}' if damage == "no region" else
                    b'"RegionId": "cn-hangzhou", "TotalCount": 0}')
    if damage == "truncated":
        os.truncate(path, path.stat().st_size - 3)
    before = tree_bytes(demo_db)
    result = run_ecsimg("load", str(path), db=demo_db)
    assert result.status == 1 and result.out == ""
    assert len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith(f"ecsimg: {path}: ") and says in result.err, result.err
    assert tree_bytes(demo_db) == before


def test_a_load_killed_at_any_moment_leaves_the_catalogue_before_or_after(
        demo_db: Path, tmp_path: Path) -> None:
    images = [_image(n) for n in range(IMAGES)]
    path = _listing(tmp_path / "merged.json", images)
    expected = {i["ImageId"] for i in images}
    started = time.monotonic()
    timed = tmp_path / "timed"
    shutil.copytree(demo_db, timed)
    assert run_ecsimg("load", str(path), db=timed).status == 0
    took = time.monotonic() - started
    outcomes = []
    for number, share in enumerate((0.4, 0.8, 0.95)):
        db = tmp_path / f"killed{number}"
        shutil.copytree(demo_db, db)
        proc = subprocess.Popen([sys.executable, "-m", "ecsimg", "load", str(path)],
                                env=cli_env(db), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(took * share)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        loaded = _loaded_ids(db)
        assert loaded in (set(), expected), f"{len(loaded)} of {IMAGES} images after a kill"
        assert index_disagreements(db) == []
        outcomes.append("after" if loaded else "before")
        # Loading again finishes the job, whichever state the kill left.
        assert run_ecsimg("load", str(path), db=db).status == 0
        assert _loaded_ids(db) == expected and index_disagreements(db) == []
    assert "before" in outcomes, outcomes
