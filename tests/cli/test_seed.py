"""``ecsimg seed``: deterministic catalogues, and no overwrite without --force."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ecsimg.domain.clock import iso
from tests.cli.runner import Runner, run_ecsimg, tree_bytes

SEEDING = "<created while seeding>"


def _listing(db: Path, seeded_after: str) -> list[Any]:
    """DescribeImages of every region the profiles use, RequestIds left out.

    Images the demo shows as just created carry the time of seeding (their task windows are
    placed at "now"), so those times are compared as "at seeding", not to the second.
    """
    pages = []
    for region in ("cn-hangzhou", "cn-shanghai", "ap-southeast-1"):
        result = run_ecsimg("api", "DescribeImages", "--RegionId", region, "--PageSize", "100",
                            "--Status", "Creating,Waiting,Available,UnAvailable,CreateFailed,"
                            "Deprecated", db=db)
        assert result.status == 0, result.err
        body = result.json()
        del body["RequestId"]
        for image in body["Images"]["Image"]:
            if image["CreationTime"] >= seeded_after:
                image["CreationTime"] = SEEDING
        pages.append(body)
    return pages


def test_seed_twice_with_the_same_random_seed_gives_the_same_catalogue(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "catalogue", tmp_path / "b" / "catalogue"
    started = iso(time.time() - 1)
    for db in (first, second):
        result = run_ecsimg("seed", "--images", "300", "--random-seed", "1", db=db)
        assert result.status == 0, result.err
        assert result.out.startswith(f"seeded {db}: 300 images, ")
    listing = _listing(first, started)
    assert listing == _listing(second, started)
    assert sum(page["TotalCount"] for page in listing) > 0
    other = tmp_path / "c" / "catalogue"
    assert run_ecsimg("seed", "--images", "300", "--random-seed", "2", db=other).status == 0
    assert json.dumps(listing) != json.dumps(_listing(other, started))


def test_seed_refuses_an_existing_catalogue_without_force(ecsimg_main: Runner,
                                                          demo_db: Path) -> None:
    before = tree_bytes(demo_db)
    line = ecsimg_main("seed", "--images", "5").usage_line()
    assert str(demo_db) in line and "--force" in line
    assert tree_bytes(demo_db) == before


def test_seed_force_replaces_the_catalogue(ecsimg_main: Runner) -> None:
    assert ecsimg_main("profile", "use", "dev").status == 0
    result = ecsimg_main("seed", "--images", "20", "--random-seed", "3", "--force")
    assert result.status == 0, result.err
    assert ": 20 images, " in result.out
    # The replaced catalogue's settings went with it: the current profile is default again.
    assert ecsimg_main("api", "DescribeImages").json()["RegionId"] == "cn-hangzhou"


def test_seed_force_is_refused_under_read_only(ecsimg_main: Runner, demo_db: Path) -> None:
    before = tree_bytes(demo_db)
    result = ecsimg_main("--read-only", "seed", "--force")
    assert result.status == 1
    assert result.error()["Code"] == "Forbidden.ReadOnly"
    assert tree_bytes(demo_db) == before
