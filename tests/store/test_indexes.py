"""The images' indexes on real files: kept by every commit, checked, repaired, migrated."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.models import Image, SharePermission
from ecsimg.store import migrations, tables
from ecsimg.store.indexes import SPANS
from ecsimg.store.tinystore import TinyRepository
from tests.store.index_checks import (
    index_disagreements,
    spans_disagreements,
    stale_shards,
    unspanned_shards,
)

OWNER = "1234567890123456"


def _image(n: int, region: str = "cn-hangzhou", shares: tuple[str, ...] = ()) -> Image:
    return Image(region, f"m-{n:020d}", f"name-{n}", "custom", OWNER, "linux", "Aliyun",
                 "Alibaba Cloud Linux 3", "Alibaba Cloud Linux 3", "x86_64", 40,
                 f"2025-01-{1 + n % 28:02d}T00:00:00Z",
                 shares=tuple(SharePermission(a, "2025-02-01T00:00:00Z") for a in shares))


def _fill(root: Path) -> TinyRepository:
    repo = TinyRepository(root)
    with repo.transaction() as tx:
        for n in range(200):
            region = "cn-hangzhou" if n % 3 else "cn-beijing"
            shares = ("6000000000000001",) if n % 7 == 0 else ()
            tx.put(tables.IMAGES, _image(n, region, shares))
    return repo


def _rename(repo: TinyRepository, n: int, name: str) -> None:
    with repo.transaction() as tx:
        image = tx.get(tables.IMAGES, f"cn-hangzhou/m-{n:020d}")
        assert image is not None
        tx.put(tables.IMAGES, dataclasses.replace(image, image_name=name))


def test_every_commit_keeps_rows_and_shares_with_the_images(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    assert index_disagreements(root) == []
    with repo.read() as view:
        assert view.shares_received(["6000000000000001"]) == {"6000000000000001": 29}
        assert len(view.listing("cn-beijing") or []) == 67
    with repo.transaction() as tx:
        tx.delete(tables.IMAGES, "cn-hangzhou/m-00000000000000000001")
        tx.put(tables.IMAGES, _image(7))  # no longer shared
        tx.put(tables.IMAGES, _image(500, "cn-hangzhou", ("6000000000000001",)))
        # The transaction sees its own writes in the counts before they are committed.
        assert tx.shares_received(["6000000000000001"]) == {"6000000000000001": 29}
    assert index_disagreements(root) == []
    assert stale_shards(root) == set()


def test_a_hand_edited_shard_is_read_from_the_images_and_repaired(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    key = "cn-hangzhou/m-00000000000000000002"
    shard = tables.IMAGES.shard_of(key)
    path = root / "images" / f"{shard}.json"
    data = orjson.loads(path.read_bytes())
    data["images"][key]["image_name"] = "edited by hand"
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    assert stale_shards(root) == {shard}
    # Readers take the rows of that shard from the images, and the spans no longer match.
    assert index_disagreements(root) == []
    with TinyRepository(root).read() as view:
        assert view.get(tables.IMAGES, key).image_name == "edited by hand"  # type: ignore[union-attr]
    _rename(repo, 4, "a later write")  # any commit repairs what it finds stale
    assert stale_shards(root) == set()
    assert index_disagreements(root) == []


def test_a_missing_index_file_is_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    rows = sorted((root / "image_rows").glob("cn-hangzhou~*.json"))
    rows[0].unlink()
    shutil.rmtree(root / SPANS)
    assert stale_shards(root) == {rows[0].stem.split("~")[1]}
    assert index_disagreements(root) == []
    _rename(repo, 5, "five")
    assert stale_shards(root) == set()
    assert rows[0].exists()
    assert index_disagreements(root) == []


def test_a_schema_1_catalogue_is_migrated_with_its_indexes(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(root)
    for name in ("image_rows", "image_shares", SPANS):
        shutil.rmtree(root / name)
    meta = orjson.loads((root / "meta.json").read_bytes())
    meta["schema"] = 1
    del meta["indexed"]
    for name in ("image_rows", "image_shares"):
        meta["shards"].pop(name)
    (root / "meta.json").write_bytes(orjson.dumps(meta))
    assert index_disagreements(root) == []  # the reader's first open migrates
    meta = orjson.loads((root / "meta.json").read_bytes())
    assert meta["schema"] == migrations.SCHEMA_VERSION
    assert stale_shards(root) == set()
    assert len(list((root / SPANS).glob("*.json"))) == len(list((root / "images").glob("*")))
    assert list(tmp_path.glob("cat.backup-schema1-*"))


def test_a_schema_2_catalogue_gets_its_rows_files_laid_out_newest_first(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(root)
    for path in (root / "image_rows").glob("*.json"):  # as schema 2 wrote them
        path.write_bytes(orjson.dumps(orjson.loads(path.read_bytes())))
    meta = orjson.loads((root / "meta.json").read_bytes())
    meta["schema"] = 2
    (root / "meta.json").write_bytes(orjson.dumps(meta))
    repo = TinyRepository(root)
    with repo.read() as view:  # the reader's first open migrates
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000002") == _image(2)
        listing = view.ordered("cn-hangzhou")
        assert listing is not None
        assert sum(count for count, _ in listing.groups) + len(list(listing.special)) == 133
    assert repo._loaded["images"].known == set()  # spans and indexes still fresh after the copy
    assert orjson.loads((root / "meta.json").read_bytes())["schema"] == migrations.SCHEMA_VERSION
    assert all(path.read_bytes().startswith(b'{"summary":')
               for path in (root / "image_rows").glob("*.json"))
    assert stale_shards(root) == set()
    assert index_disagreements(root) == []
    assert list(tmp_path.glob("cat.backup-schema2-*"))


def test_a_rows_file_from_elsewhere_is_read_whole(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(root)
    path = sorted((root / "image_rows").glob("cn-hangzhou~*.json"))[0]
    data = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))  # another layout
    assert stale_shards(root) == set()
    assert index_disagreements(root) == []


def _copy_over(root: Path) -> None:
    """Put a copy of the catalogue in its place, as ``cp -r`` or a restored backup does:
    the same bytes, every file a new inode."""
    copy = root.with_name(root.name + "-copy")
    shutil.copytree(root, copy)
    shutil.rmtree(root)
    copy.rename(root)


def test_a_copied_catalogue_is_read_right_and_its_next_commit_heals_indexes_and_spans(
        tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(root)
    _copy_over(root)
    assert stale_shards(root) == unspanned_shards(root) != set()
    reader = TinyRepository(root)
    with reader.read() as view:  # spans worked out in memory from the shard files
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000002") == _image(2)
    assert reader._loaded["images"].known == set()  # no shard read whole
    assert index_disagreements(root) == []
    before = {path.name: path.read_bytes() for path in (root / "image_rows").glob("*.json")}
    _rename(TinyRepository(root), 4, "a later write")  # any commit heals
    assert stale_shards(root) == unspanned_shards(root) == set()
    assert spans_disagreements(root) == []
    assert index_disagreements(root) == []
    # The indexes were right: only the rows file of the image written changes.
    after = {path.name: path.read_bytes() for path in (root / "image_rows").glob("*.json")}
    assert [name for name in before if before[name] != after[name]] == [
        f"cn-hangzhou~{tables.IMAGES.shard_of('cn-hangzhou/m-00000000000000000004')}.json"]


def test_a_shard_laid_out_by_hand_is_written_again_with_its_spans(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    path = root / "images" / f"{tables.IMAGES.shard_of('cn-beijing/m-00000000000000000003')}.json"
    path.write_bytes(orjson.dumps(orjson.loads(path.read_bytes()), option=orjson.OPT_INDENT_2))
    assert unspanned_shards(root) == {path.stem}
    _rename(repo, 4, "a later write")
    assert stale_shards(root) == unspanned_shards(root) == set()
    assert spans_disagreements(root) == []
    assert index_disagreements(root) == []


def test_a_damaged_row_is_named_and_rebuilt_once_its_file_is_removed(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    path = sorted((root / "image_rows").glob("cn-hangzhou~*.json"))[0]
    lines = path.read_bytes().split(b"\n")
    lines[-2] = lines[-2].replace(b'{"r":[', b'{"r":}[')  # the oldest row: read last
    path.write_bytes(b"\n".join(lines))
    with TinyRepository(root).read() as view:
        listing = view.ordered("cn-hangzhou")
        assert listing is not None
        with pytest.raises(CatalogueError, match=str(path)):
            list(listing.newest())
        with pytest.raises(CatalogueError, match=str(path)):
            list(listing.newest())  # not skipped when read again
    path.unlink()
    _rename(repo, 4, "a later write")
    assert index_disagreements(root) == []


def test_a_page_image_is_read_by_its_span_without_its_shard(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(root)
    repo = TinyRepository(root)
    with repo.read() as view:
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000002") == _image(2)
    assert repo._loaded["images"].known == set()


_TRY_WRITE_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("taken")
except BlockingIOError:
    print("blocked")
"""


def test_a_read_view_holds_the_shared_lock_until_it_closes(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)

    def writer_would() -> str:
        done = subprocess.run([sys.executable, "-c", _TRY_WRITE_LOCK, str(root / ".lock")],
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()

    with repo.read() as view:
        assert writer_would() == "blocked"
        # A lazy read inside the view still sees the commit the view started on.
        assert len(view.group(tables.IMAGES, "cn-hangzhou")) == 133
    assert writer_would() == "taken"


def test_readers_share_the_lock(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(root)
    fd = os.open(root / ".lock", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # another reader holds it
        with TinyRepository(root).read() as view:
            assert len(view.listing("cn-hangzhou") or []) == 133
    finally:
        os.close(fd)
