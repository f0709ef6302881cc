"""Silent damage made loud: a missing shard, a rolled-back generation, a dangling link."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import orjson
import pytest

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.store.test_tinystore import _fill, _image


def test_a_shard_deleted_by_hand_is_named_not_read_as_empty(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 200)
    victim = sorted((root / "images").glob("*.json"))[3]
    victim.unlink()
    for opening in ("read", "transaction"):
        repo = TinyRepository(root)
        with pytest.raises(CatalogueError, match=f"{victim.name}: missing, but meta.json"), \
                getattr(repo, opening)() as view:
            view.all(tables.IMAGES)


def test_a_generation_restored_from_a_copy_neither_hides_a_change_nor_reverts_it(
        tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 20)
    saved_meta = (root / "meta.json").read_bytes()
    tui = TinyRepository(root)  # a long-running process, its records in memory
    with tui.read() as view:
        assert len(view.all(tables.IMAGES)) == 20
    other = TinyRepository(root)
    renamed = dataclasses.replace(_image(5), image_name="theirs")
    with other.transaction() as tx:
        tx.put(tables.IMAGES, renamed)
    seen_generation = orjson.loads((root / "meta.json").read_bytes())["generation"]
    (root / "meta.json").write_bytes(saved_meta)  # generation goes back by one
    assert tui.refresh()
    with tui.read() as view:
        assert view.get(tables.IMAGES, renamed.key) == renamed
    with tui.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(6), image_name="ours"))
    # The process that committed generation ``seen_generation`` sees the later commit even
    # if its generation number repeats: meta.json's file identity changed.
    assert other.refresh()
    with other.read() as view:
        assert view.get(tables.IMAGES, _image(6).key).image_name == "ours"  # type: ignore[union-attr]
    assert seen_generation >= 1
    with TinyRepository(root).read() as view:
        names = {i.image_id: i.image_name for i in view.all(tables.IMAGES)}
    assert (names[_image(5).image_id], names[_image(6).image_id]) == ("theirs", "ours")


def test_another_catalogue_put_in_place_is_reloaded_whole(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 10)
    running = TinyRepository(root)
    with running.read() as view:
        assert len(view.all(tables.IMAGES)) == 10
    other = tmp_path / "other"
    _fill(TinyRepository(other), 3)
    shutil.rmtree(root)
    shutil.copytree(other, root)
    assert running.refresh()
    with running.read() as view:
        assert len(view.all(tables.IMAGES)) == 3


@pytest.mark.parametrize("kind", ["dangling", "to a folder", "to a file"])
def test_a_catalogue_path_that_is_a_link_is_refused_naming_it(tmp_path: Path,
                                                              kind: str) -> None:
    link = tmp_path / "cat"
    target = tmp_path / ("nowhere" if kind == "dangling" else "target")
    if kind == "to a folder":
        target.mkdir()
    elif kind == "to a file":
        target.write_text("x")
    link.symlink_to(target)
    with pytest.raises(CatalogueError, match=rf"{link}: is a symbolic link"):
        TinyRepository(link)
    assert not (target.exists() and target.is_dir() and any(target.iterdir()))
