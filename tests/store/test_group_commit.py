"""Group commit on real files: transactions of threads ready together share one commit."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Image
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.store.index_checks import index_disagreements


def _image(n: int) -> Image:
    return Image("cn-hangzhou", f"m-{n:020d}", f"name-{n}", "custom", "1234567890123456",
                 "linux", "Aliyun", "Alibaba Cloud Linux 3", "Alibaba Cloud Linux 3", "x86_64",
                 40, "2025-01-01T00:00:00Z")


def _renamed(repo: TinyRepository, n: int, name: str, fail: bool = False) -> None:
    with repo.transaction() as tx:
        image = tx.get(tables.IMAGES, _image(n).key)
        assert image is not None
        tx.put(tables.IMAGES, dataclasses.replace(image, image_name=name))
        if fail:
            raise ApiError("InvalidImageName.Duplicated", "refused on purpose", 400)


def _wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_queued_transactions_commit_once_and_a_failing_one_harms_none(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    with repo.transaction() as tx:
        for n in range(8):
            tx.put(tables.IMAGES, _image(n))
    before = repo.generation
    release = threading.Event()
    errors: dict[int, BaseException] = {}

    def first() -> None:
        with repo.transaction() as tx:
            tx.put(tables.IMAGES, dataclasses.replace(_image(0), image_name="first"))
            release.wait(10)

    def other(n: int) -> None:
        try:
            _renamed(repo, n, f"renamed-{n}", fail=n == 2)
        except BaseException as err:  # the test looks at them below
            errors[n] = err

    holder = threading.Thread(target=first)
    holder.start()
    _wait_for(lambda: repo._batcher.open)
    others = [threading.Thread(target=other, args=(n,)) for n in (1, 2, 3)]
    for thread in others:
        thread.start()
    _wait_for(lambda: repo._batcher._queued == 3)
    release.set()
    for thread in (holder, *others):
        thread.join(30)
    assert set(errors) == {2} and isinstance(errors[2], ApiError)
    assert repo.generation == before + 1  # four transactions, one commit
    with TinyRepository(root).read() as view:
        names = {i.key: i.image_name for i in view.group(tables.IMAGES, "cn-hangzhou")}
    assert names[_image(0).key] == "first"
    assert names[_image(1).key] == "renamed-1"
    assert names[_image(2).key] == "name-2"  # the failed member's write is not there
    assert names[_image(3).key] == "renamed-3"
    assert index_disagreements(root) == []


def test_a_member_reads_the_writes_of_the_members_before_it(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "cat")
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, _image(0))
    release = threading.Event()
    seen: list[str] = []

    def first() -> None:
        with repo.transaction() as tx:
            tx.put(tables.IMAGES, dataclasses.replace(_image(0), image_name="first"))
            release.wait(10)

    def second() -> None:
        with repo.transaction() as tx:
            image = tx.get(tables.IMAGES, _image(0).key)
            assert image is not None
            seen.append(image.image_name)
            listed = tx.group(tables.IMAGES, "cn-hangzhou")
            seen.extend(i.image_name for i in listed)
            tx.put(tables.IMAGES, dataclasses.replace(image, image_name=image.image_name + "+"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    _wait_for(lambda: repo._batcher.open)
    threads[1].start()
    _wait_for(lambda: repo._batcher._queued == 1)
    release.set()
    for thread in threads:
        thread.join(30)
    assert seen == ["first", "first"]
    with repo.read() as view:
        image = view.get(tables.IMAGES, _image(0).key)
    assert image is not None and image.image_name == "first+"


def test_a_failed_commit_fails_every_member_that_wrote_or_read_the_batch(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    with repo.transaction() as tx:
        for n in range(3):
            tx.put(tables.IMAGES, _image(n))
    release = threading.Event()
    raised: dict[int, BaseException | None] = {}

    def failing_sync(path: Path, folder: bool) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ecsimg.store.syncing._fsync_path", failing_sync)

    def first() -> None:
        try:
            with repo.transaction() as tx:
                tx.put(tables.IMAGES, dataclasses.replace(_image(0), image_name="first"))
                release.wait(10)
            raised[0] = None
        except BaseException as err:  # the test looks at them below
            raised[0] = err

    def other(n: int) -> None:
        try:
            _renamed(repo, n, f"renamed-{n}")
            raised[n] = None
        except BaseException as err:  # the test looks at them below
            raised[n] = err

    def reader() -> None:  # writes nothing, but reads what the batch wrote
        try:
            with repo.transaction() as tx:
                tx.get(tables.IMAGES, _image(0).key)
            raised[3] = None
        except BaseException as err:  # the test looks at them below
            raised[3] = err

    threads = [threading.Thread(target=first),
               *(threading.Thread(target=other, args=(n,)) for n in (1, 2)),
               threading.Thread(target=reader)]
    threads[0].start()
    _wait_for(lambda: repo._batcher.open)
    for thread in threads[1:]:
        thread.start()
    _wait_for(lambda: repo._batcher._queued == 3)
    release.set()
    for thread in threads:
        thread.join(30)
    assert all(err is not None and "nothing was changed" in str(err) for err in raised.values())
    monkeypatch.undo()
    with TinyRepository(root).read() as view:
        names = sorted(i.image_name for i in view.group(tables.IMAGES, "cn-hangzhou"))
    assert names == ["name-0", "name-1", "name-2"]
    _renamed(repo, 1, "after")  # the repository still writes
    with TinyRepository(root).read() as view:
        assert view.get(tables.IMAGES, _image(1).key).image_name == "after"  # type: ignore[union-attr]


def test_a_transaction_inside_a_read_of_its_own_thread_commits_at_once(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "cat")
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, _image(0))
    with repo.read():
        _renamed(repo, 0, "inside")
    with repo.read() as view:
        assert view.get(tables.IMAGES, _image(0).key).image_name == "inside"  # type: ignore[union-attr]
