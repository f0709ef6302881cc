"""Derivations kept beside the catalogue (``Repository.project_derived``): what a reader works
out from each shard and from whole other tables, reused only while neither changed, for the
same group and context, and only once the reader accepts what is read back."""

from __future__ import annotations

import dataclasses
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from ecsimg.domain import models as m
from ecsimg.domain.models import Image
from ecsimg.store import projections, tables
from ecsimg.store.columns import Accepted, Column, Derivation
from ecsimg.store.memstore import MemoryRepository
from ecsimg.store.tinystore import TinyRepository
from tests.store.kept_files import leave_a_journal

HZ, SH = "cn-hangzhou", "cn-shanghai"
NAME = "derived-test-1"
TEXT = frozenset({str})
FIELDS: tuple[Accepted, ...] = (TEXT, TEXT)


def _image(n: int, region: str = HZ) -> Image:
    return Image(region, f"m-{n:020d}", f"name-{n}", "custom", "1234567890123456", "linux",
                 "Aliyun", "Alibaba Cloud Linux 3", "Alibaba Cloud Linux 3", "x86_64", 40,
                 "2025-01-01T00:00:00Z")


def _fields(key: str, doc: dict[str, Any]) -> list[Any]:
    return [key, doc["image_name"]]


class Upper:
    """A derivation of each shard's names in capitals, counting the shards it made."""

    def __init__(self, context: str = "a", accept: bool = True) -> None:
        self.made = 0
        self.context = context
        self.accepting = accept

    def make(self, part: list[Column]) -> list[list[str]]:
        self.made += 1
        keys, names = part
        return [list(keys.values), [name.upper() + self.context for name in names.values]]

    def accept(self, value: Any) -> list[list[str]] | None:
        ok = (self.accepting and type(value) is list and len(value) == 2
              and all(type(column) is list for column in value))
        return value if ok else None

    def derivation(self) -> Derivation[list[list[str]]]:
        return Derivation(NAME, [self.context], (tables.SNAPSHOTS,), self.make, self.accept)


def _derived(repo: Any, upper: Upper, group: str | None = HZ,
             later: list[Any] | None = None) -> dict[str, str]:
    found: dict[str, str] = {}

    def collect(value: list[list[str]], done: int, total: int) -> None:
        found.update(zip(*value, strict=True))

    repo.project_derived(tables.IMAGES, group, _fields, FIELDS, upper.derivation(), collect,
                         cache="derived-fields-1", later=later)
    return found


@pytest.fixture
def repo(tmp_path: Path) -> TinyRepository:
    found = TinyRepository(tmp_path / "catalogue")
    with found.transaction() as tx:
        for n in range(200):
            tx.put(tables.IMAGES, _image(n, HZ if n % 4 else SH))
        tx.put(tables.SNAPSHOTS, m.Snapshot("s-1", HZ, "1234567890123456", "d-1", "system", 40,
                                            "2025-01-01T00:00:00Z"))
    return found


def _shards(repo: TinyRepository) -> int:
    return len(list((repo.root / "images").glob("*.json")))


def _kept(repo: TinyRepository) -> list[Path]:
    return sorted((repo.root / projections.FOLDER / NAME).glob("*.marshal"))


def test_a_second_read_passes_on_what_the_first_made(repo: TinyRepository) -> None:
    first, second = Upper(), Upper()
    cold = _derived(repo, first)
    assert first.made == _shards(repo) and len(cold) == 150
    assert cold[_image(1).key] == "NAME-1a"
    assert len(_kept(repo)) == _shards(repo)
    assert _derived(TinyRepository(repo.root), second) == cold
    assert second.made == 0


def test_a_commit_to_a_shard_makes_its_value_again_and_no_other(repo: TinyRepository) -> None:
    _derived(repo, Upper())
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(7), image_name="renamed"))
    again = Upper()
    assert _derived(TinyRepository(repo.root), again)[_image(7).key] == "RENAMEDa"
    assert again.made == 1


def test_a_commit_to_an_input_table_makes_every_value_again(repo: TinyRepository) -> None:
    cold = _derived(repo, Upper())
    with repo.transaction() as tx:
        tx.put(tables.SNAPSHOTS, m.Snapshot("s-2", HZ, "1234567890123456", "d-2", "system",
                                            40, "2025-01-01T00:00:00Z"))
    again = Upper()
    assert _derived(TinyRepository(repo.root), again) == cold
    assert again.made == _shards(repo)
    with repo.transaction() as tx:
        tx.put(tables.EVENTS, m.Event("e-1", "2025-01-01T00:00:00Z", "default",
                                      "1234567890123456", "DeleteImage", {}, "", "r-1"))
    untouched = Upper()
    _derived(TinyRepository(repo.root), untouched)
    assert untouched.made == 0  # not an input


def test_groups_and_contexts_are_kept_side_by_side(repo: TinyRepository) -> None:
    for group, context in [(HZ, "a"), (SH, "a"), (None, "a"), (HZ, "b")]:
        _derived(repo, Upper(context), group)
    for group, context, count in [(HZ, "a", 150), (SH, "a", 50), (None, "a", 200),
                                  (HZ, "b", 150)]:
        again = Upper(context)
        found = _derived(TinyRepository(repo.root), again, group)
        assert again.made == 0 and len(found) == count
        assert all(name.endswith(context) for name in found.values())


def test_a_value_the_reader_refuses_is_made_again_and_kept_again(
        repo: TinyRepository) -> None:
    cold = _derived(repo, Upper())
    refusing = Upper(accept=False)
    assert _derived(TinyRepository(repo.root), refusing) == cold
    assert refusing.made == _shards(repo)
    again = Upper()
    assert _derived(TinyRepository(repo.root), again) == cold and again.made == 0


@pytest.mark.parametrize("damage", ["not-marshal", "truncated", "crc", "other-stamp", "empty"])
def test_a_damaged_kept_file_is_made_again(repo: TinyRepository, damage: str) -> None:
    cold = _derived(repo, Upper())
    for path in _kept(repo):
        header, _, body = path.read_bytes().partition(b"\n")
        head = orjson.loads(header)
        if damage == "not-marshal":
            body = b"\xff" + body[1:]
        elif damage == "truncated":
            body = body[: len(body) // 2]
        elif damage == "other-stamp":
            head["stamp"][-1] = "0" * 32
        elif damage == "empty":
            path.write_bytes(b"")
            continue
        elif damage == "crc":  # a byte changed, its checksum not made again
            body = body[:-1] + bytes([body[-1] ^ 1])
        if damage != "crc":
            head["crc"] = zlib.crc32(body)
        path.write_bytes(orjson.dumps(head) + b"\n" + body)
    again = Upper()
    assert _derived(TinyRepository(repo.root), again) == cold
    assert again.made == _shards(repo)
    reused = Upper()
    assert _derived(TinyRepository(repo.root), reused) == cold and reused.made == 0


def test_a_pending_journal_is_read_through_and_nothing_is_kept(repo: TinyRepository) -> None:
    _derived(repo, Upper())
    before = {path: path.read_bytes() for path in _kept(repo)}
    leave_a_journal(repo.root, tables.IMAGES, dataclasses.replace(_image(3), image_name="journal"))
    again = Upper()
    assert _derived(TinyRepository(repo.root), again)[_image(3).key] == "JOURNALa"
    assert again.made == _shards(repo)
    assert {path: path.read_bytes() for path in _kept(repo)} == before


def test_read_only_sessions_use_what_is_kept_and_write_nothing(repo: TinyRepository) -> None:
    cold = _derived(repo, Upper())
    read_only = TinyRepository(repo.root)
    read_only.keep_projections = False  # as --read-only opens it
    again = Upper()
    assert _derived(read_only, again) == cold and again.made == 0
    other = Upper("b")
    _derived(read_only, other)
    assert other.made == _shards(repo)
    assert len(_kept(repo)) == _shards(repo)  # nothing written for the other context


def test_the_memory_repository_makes_its_one_part(tmp_path: Path) -> None:
    repo = MemoryRepository(tmp_path / "catalogue")
    with repo.transaction() as tx:
        for n in range(20):
            tx.put(tables.IMAGES, _image(n))
    upper = Upper()
    found = _derived(repo, upper)
    assert upper.made == 1 and len(found) == 20 and found[_image(3).key] == "NAME-3a"
    assert not (tmp_path / "catalogue").exists()


def test_values_kept_later_are_those_still_current_then(repo: TinyRepository) -> None:
    """With ``later``, nothing is written during the read; the function it gets keeps each
    value whose shard is unchanged, and nothing once an input table changed."""
    later: list[Any] = []
    cold = _derived(repo, Upper(), later=later)
    assert len(later) == 1 and not _kept(repo)
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(7), image_name="renamed"))
    later[0]()
    assert len(_kept(repo)) == _shards(repo) - 1  # not the shard rewritten since
    again = Upper()
    found = _derived(TinyRepository(repo.root), again)
    assert again.made == 1 and found == {**cold, _image(7).key: "RENAMEDa"}

    stale: list[Any] = []
    _derived(repo, Upper("b"), later=stale)
    with repo.transaction() as tx:
        tx.put(tables.SNAPSHOTS, m.Snapshot("s-3", HZ, "1234567890123456", "d-3", "system",
                                            40, "2025-01-01T00:00:00Z"))
    stale[0]()
    other = Upper("b")
    _derived(TinyRepository(repo.root), other)
    assert other.made == _shards(repo)  # nothing was kept for the inputs as they were


def test_nothing_to_keep_later_adds_nothing(repo: TinyRepository) -> None:
    _derived(repo, Upper())
    later: list[Any] = []
    _derived(TinyRepository(repo.root), Upper(), later=later)
    assert later == []
