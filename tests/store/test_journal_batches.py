"""A journal written batch by batch (a large commit): replayed a batch at a time by the next
writer, read through by a reader meanwhile, and refused whole when damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.errors import CatalogueError
from ecsimg.store import journal, tables, views
from ecsimg.store.tinystore import TinyRepository
from tests.store.index_checks import index_disagreements

HZ, SH = "cn-hangzhou", "cn-shanghai"
OWNER = "1234567890123456"


def _image(n: int) -> m.Image:
    return m.Image(HZ if n % 2 else SH, f"m-{n:020d}", f"name-{n}", "custom", OWNER, "linux",
                   "Aliyun", "Alibaba Cloud Linux 3", "Alibaba Cloud Linux 3", "x86_64", 40,
                   "2025-01-01T00:00:00Z")


def _commit_leaving_the_journal(root: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """A commit of 200 images whose renames after the commit point all fail."""
    monkeypatch.setattr(views, "PACK_AFTER", 10)
    images = [_image(n) for n in range(200)]
    with monkeypatch.context() as patch:
        def fail(written: object) -> None:
            raise OSError(5, "Input/output error")

        patch.setattr(journal, "install_all", fail)
        repo = TinyRepository(root)
        with repo.transaction() as tx:
            for image in images:
                tx.put(tables.IMAGES, image)
        repo.close()
    assert (root / journal.JOURNAL).read_bytes().startswith(journal.BATCHED)
    return {image.key for image in images}


def test_a_batched_journal_is_read_through_then_replayed_batch_by_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalogue"
    keys = _commit_leaving_the_journal(root, monkeypatch)
    _, batches = journal.read_batches(root / journal.JOURNAL)
    assert len(list(batches)) > 2  # a batch an images shard, then the rest
    with TinyRepository(root).read() as view:
        assert {i.key for i in view.all(tables.IMAGES)} == keys
    repo = TinyRepository(root)
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, _image(999))
    assert not (root / journal.JOURNAL).exists()
    with TinyRepository(root).read() as view:
        assert {i.key for i in view.all(tables.IMAGES)} == keys | {_image(999).key}
    assert index_disagreements(root) == []


def test_a_damaged_batched_journal_is_refused_whole(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalogue"
    _commit_leaving_the_journal(root, monkeypatch)
    path = root / journal.JOURNAL
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    for opening in ("read", "transaction"):
        repo = TinyRepository(root)
        with pytest.raises(CatalogueError, match=r"journal\.json: damaged"), getattr(
                repo, opening)():
            pass
