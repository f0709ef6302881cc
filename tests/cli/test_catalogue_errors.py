"""A catalogue that cannot be read is refused with a message naming the file, and kept as is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import Runner, tree_bytes


def _refused(ecsimg: Runner, demo_db: Path, damaged: Path, *commands: list[str]) -> str:
    before = tree_bytes(demo_db)
    messages = []
    for args in (["api", "DescribeImages"], *commands, ["load", str(damaged)]):
        result = ecsimg(*args)
        assert result.status in (1, 2), (args, result.status, result.err)
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        messages.append(lines[0])
    assert tree_bytes(demo_db) == before
    return messages[0]


def test_garbage_meta_json_is_refused_and_left_unchanged(ecsimg: Runner, demo_db: Path) -> None:
    meta = demo_db / "meta.json"
    meta.write_bytes(b"\x00\xffthis is not json{")
    line = _refused(ecsimg, demo_db, meta, ["profile", "list"], ["profile", "use", "dev"],
                    ["api", "DescribeRegions"], ["seed"])
    assert line.startswith("ecsimg: ") and str(meta) in line
    assert meta.read_bytes() == b"\x00\xffthis is not json{"


def test_truncated_shard_is_refused_and_left_unchanged(ecsimg: Runner, demo_db: Path) -> None:
    shard = max((demo_db / "images").glob("*.json"), key=lambda p: p.stat().st_size)
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    line = _refused(ecsimg, demo_db, shard, ["--profile", "dev", "api", "DescribeImages"])
    assert str(shard) in line
    assert shard.read_bytes() == data[: len(data) // 2]


def test_seed_force_does_not_replace_a_damaged_catalogue(ecsimg: Runner, demo_db: Path) -> None:
    meta = demo_db / "meta.json"
    meta.write_text("[]")
    before = tree_bytes(demo_db)
    result = ecsimg("seed", "--force")
    assert result.status == 1
    assert str(meta) in result.err
    assert tree_bytes(demo_db) == before


@pytest.mark.parametrize("kind", ["file", "foreign folder"])
def test_a_path_that_is_not_a_catalogue_is_refused(tmp_path: Path, kind: str) -> None:
    from tests.cli.runner import run_ecsimg

    db = tmp_path / "target"
    if kind == "file":
        db.write_text("my notes\n")
    else:
        db.mkdir()
        (db / "notes.txt").write_text("mine\n")
    before = tree_bytes(db) if db.is_dir() else {"": db.read_bytes()}
    result = run_ecsimg("api", "DescribeRegions", db=db)
    assert result.status == 1
    assert result.err.startswith(f"ecsimg: {db}") and len(result.err.splitlines()) == 1
    after = tree_bytes(db) if db.is_dir() else {"": db.read_bytes()}
    assert after == before
