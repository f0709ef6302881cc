"""Kept projections (``Repository.project`` with a cache name): reused only while the shard
they were taken from is unchanged, and never a reason to fail or to show stale data."""

from __future__ import annotations

import dataclasses
import errno
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from ecsimg.domain import models as m
from ecsimg.domain.models import Image
from ecsimg.store import columns, projections, tables
from ecsimg.store.columns import Accepted, Column, ListOf
from ecsimg.store.tinystore import TinyRepository
from tests.store.kept_files import (
    leave_a_journal,
    rewrite_kept,
    with_a_value_of_another_type,
)

HZ = "cn-hangzhou"
NAME = "names-test-1"
TEXT = frozenset({str})
NAMES: tuple[Accepted, ...] = (TEXT, TEXT)
"""The types of what ``Counting`` gives: a key and a name."""


def _image(n: int) -> Image:
    return Image(HZ, f"m-{n:020d}", f"name-{n}", "custom", "1234567890123456", "linux",
                 "Aliyun", "Alibaba Cloud Linux 3", "Alibaba Cloud Linux 3", "x86_64", 40,
                 "2025-01-01T00:00:00Z")


class Counting:
    """An extractor that counts the documents it was given."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, key: str, doc: dict[str, Any]) -> list[str]:
        self.calls += 1
        return [key, doc["image_name"]]


Names = Callable[..., dict[str, str]]


def _names(repo: TinyRepository, extract: Counting | None = None) -> dict[str, str]:
    found: dict[str, str] = {}

    def collect(values: list[list[str]], done: int, total: int) -> None:
        found.update((key, name) for key, name in values)

    repo.project(tables.IMAGES, HZ, extract or Counting(), collect, cache=NAME)
    return found


def _names_as_columns(repo: TinyRepository, extract: Counting | None = None) -> dict[str, str]:
    found: dict[str, str] = {}

    def collect(part: list[Column], done: int, total: int) -> None:
        keys, names = part
        found.update(zip(keys.values, names.values, strict=True))

    repo.project_columns(tables.IMAGES, HZ, extract or Counting(), NAMES, collect, cache=NAME)
    return found


@pytest.fixture(params=["documents", "columns"])
def names_of(request: pytest.FixtureRequest) -> Names:
    """The names read with ``project`` or with ``project_columns`` (kept alike)."""
    return _names if request.param == "documents" else _names_as_columns


@pytest.fixture
def repo(tmp_path: Path) -> TinyRepository:
    found = TinyRepository(tmp_path / "catalogue")
    with found.transaction() as tx:
        for n in range(200):
            tx.put(tables.IMAGES, _image(n))
    return found


def _cache_files(repo: TinyRepository, name: str = NAME) -> list[Path]:
    return sorted((repo.root / projections.FOLDER / name).glob("*.json"))


def test_a_second_read_reuses_what_the_first_extracted(
        names_of: Names, repo: TinyRepository) -> None:
    first, second = Counting(), Counting()
    cold = names_of(repo, first)
    assert first.calls == 200 and len(cold) == 200
    assert len(_cache_files(repo)) == len(list((repo.root / "images").glob("*.json")))
    assert names_of(TinyRepository(repo.root), second) == cold
    assert second.calls == 0


def test_a_commit_makes_the_shard_it_rewrote_extracted_again(
        names_of: Names, repo: TinyRepository) -> None:
    names_of(repo)
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(7), image_name="renamed"))
        tx.delete(tables.IMAGES, _image(8).key)
    again = Counting()
    found = names_of(TinyRepository(repo.root), again)
    assert found[_image(7).key] == "renamed" and _image(8).key not in found
    assert 0 < again.calls < 200  # only the shards the commit rewrote


@pytest.mark.parametrize("damage", ["garbage", "truncated", "edited", "other-stamp", "folder"])
def test_a_damaged_or_foreign_cache_file_is_ignored_and_replaced(
        names_of: Names, repo: TinyRepository, damage: str) -> None:
    cold = names_of(repo)
    target = _cache_files(repo)[0]
    raw = target.read_bytes()
    header, _, body = raw.partition(b"\n")
    if damage == "garbage":
        target.write_bytes(b"\x00\xffnot json")
    elif damage == "truncated":
        target.write_bytes(raw[: len(raw) // 2])
    elif damage == "edited":  # the stamp still matches; the checksum does not
        target.write_bytes(header + b"\n" + body.replace(b"name-", b"evil-"))
    elif damage == "other-stamp":  # a consistent file, of another version of the shard
        head = orjson.loads(header)
        head["stamp"][2] += 1
        forged = body.replace(b"name-", b"evil-")
        head["crc"] = zlib.crc32(forged)
        target.write_bytes(orjson.dumps(head) + b"\n" + forged)
    else:
        target.unlink()
        target.mkdir()
    again = Counting()
    assert names_of(TinyRepository(repo.root), again) == cold
    assert again.calls > 0
    if damage != "folder":
        assert b"evil-" not in target.read_bytes()  # rewritten from the shard


def test_no_cache_where_none_can_be_written_and_no_link_followed(
        names_of: Names, repo: TinyRepository, tmp_path: Path) -> None:
    (repo.root / projections.FOLDER).write_text("not a folder")
    assert len(names_of(repo)) == 200
    (repo.root / projections.FOLDER).unlink()
    names_of(repo)
    planted = tmp_path / "elsewhere"
    (repo.root / projections.FOLDER).rename(planted)  # files that would be valid here
    for path in (planted / NAME).glob("*.json"):
        path.write_bytes(path.read_bytes().replace(b"name-", b"evil-"))
        header, _, body = path.read_bytes().partition(b"\n")
        head = orjson.loads(header)
        head["crc"] = zlib.crc32(body)
        path.write_bytes(orjson.dumps(head) + b"\n" + body)
    (repo.root / projections.FOLDER).symlink_to(planted)
    found = names_of(TinyRepository(repo.root))
    assert len(found) == 200 and not any(v.startswith("evil-") for v in found.values())


def test_a_pending_journal_is_read_through_and_nothing_is_kept(
        names_of: Names, repo: TinyRepository) -> None:
    names_of(repo)
    before = {p: p.read_bytes() for p in _cache_files(repo)}
    leave_a_journal(repo.root, tables.IMAGES, dataclasses.replace(_image(3), image_name="journal"))
    again = Counting()
    assert names_of(TinyRepository(repo.root), again)[_image(3).key] == "journal"
    assert again.calls == 200  # read from the shards, journal applied, nothing reused
    assert {p: p.read_bytes() for p in _cache_files(repo)} == before  # nor written


def test_a_reader_killed_while_writing_leaves_a_temporary_file_the_next_writer_removes(
        names_of: Names, repo: TinyRepository) -> None:
    names_of(repo)
    folder = repo.root / projections.FOLDER / NAME
    left = folder / ".00.json.0123456789abcdef.tmp"
    left.write_bytes(b"half of a projec")
    assert names_of(TinyRepository(repo.root))  # readers leave it
    assert left.exists()
    with TinyRepository(repo.root).transaction() as tx:
        tx.put(tables.IMAGES, _image(500))
    assert not left.exists()
    assert len(names_of(repo)) == 201


def test_read_only_sessions_write_no_projection_but_use_those_kept(tmp_path: Path) -> None:
    from ecsimg.bootstrap import open_backend, seed

    db = tmp_path / "catalogue"
    seed(str(db), images=300, random_seed=3)
    rows = open_backend(str(db), read_only=True).images().rows
    assert rows and not (db / projections.FOLDER).exists()
    assert [r.key for r in open_backend(str(db)).images().rows] == [r.key for r in rows]
    assert (db / projections.FOLDER).is_dir()
    kept = {p: p.stat().st_mtime_ns for p in (db / projections.FOLDER).rglob("*.json")}
    assert [r.key for r in open_backend(str(db), read_only=True).images().rows] == [
        r.key for r in rows]
    assert {p: p.stat().st_mtime_ns for p in (db / projections.FOLDER).rglob("*.json")} == kept


def _plant_retired(db: Path) -> dict[Path, bytes]:
    """Folders of retired projections, with files, as an older version left them."""
    planted: dict[Path, bytes] = {}
    for name in projections.RETIRED:
        folder = db / projections.FOLDER / name
        (folder / "deeper").mkdir(parents=True)
        for path in (folder / "00.json", folder / "deeper" / "01.json"):
            path.write_bytes(b'{"stamp": [1, 2, 3], "crc": 0}\n{}')
            planted[path] = path.read_bytes()
    return planted


def test_a_list_read_removes_the_folders_of_retired_projections_once(tmp_path: Path) -> None:
    from ecsimg.bootstrap import open_backend, seed

    db = tmp_path / "catalogue"
    seed(str(db), images=200, random_seed=3)
    _plant_retired(db)
    rows = [r.key for r in open_backend(str(db)).images().rows]
    assert rows
    assert not any((db / projections.FOLDER / name).exists() for name in projections.RETIRED)
    assert (db / projections.FOLDER / "list-columns-1").is_dir()
    planted = _plant_retired(db)  # once per process: not looked for again
    assert [r.key for r in open_backend(str(db)).images().rows] == rows
    assert all(path.read_bytes() == data for path, data in planted.items())


def test_retired_projections_that_cannot_be_removed_are_left_and_the_read_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsimg.bootstrap import open_backend, seed

    db = tmp_path / "catalogue"
    seed(str(db), images=200, random_seed=3)
    planted = _plant_retired(db)
    rows = [r.key for r in open_backend(str(db), read_only=True).images().rows]
    assert rows  # a --read-only session writes nothing, and removes nothing either
    assert all(path.read_bytes() == data for path, data in planted.items())

    tried: list[Any] = []

    def refused(*args: Any, **kwargs: Any) -> None:
        tried.append(args)
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(shutil, "rmtree", refused)
    assert [r.key for r in open_backend(str(db)).images().rows] == rows
    assert len(tried) == len(projections.RETIRED)
    assert all(path.read_bytes() == data for path, data in planted.items())


def test_a_link_named_as_a_retired_projection_is_removed_and_not_followed(
        repo: TinyRepository, tmp_path: Path) -> None:
    (repo.root / projections.FOLDER).mkdir()
    outside = tmp_path / "outside"
    (outside / "kept").mkdir(parents=True)
    (outside / "kept" / "00.json").write_bytes(b"not the catalogue's")
    (outside / "01.json").write_bytes(b"not the catalogue's either")
    first, second = (repo.root / projections.FOLDER / name for name in projections.RETIRED)
    first.symlink_to(outside, target_is_directory=True)
    second.symlink_to(outside / "01.json")
    assert len(_names(TinyRepository(repo.root))) == 200
    assert not first.is_symlink() and not first.exists()
    assert not second.is_symlink() and not second.exists()
    assert (outside / "kept" / "00.json").read_bytes() == b"not the catalogue's"
    assert (outside / "01.json").read_bytes() == b"not the catalogue's either"


def test_retired_projections_behind_a_link_in_place_of_the_cache_folder_are_left(
        repo: TinyRepository, tmp_path: Path) -> None:
    planted = _plant_retired(tmp_path / "elsewhere")
    (repo.root / projections.FOLDER).symlink_to(tmp_path / "elsewhere" / projections.FOLDER)
    assert len(_names(repo)) == 200
    assert all(path.read_bytes() == data for path, data in planted.items())


def _forged(stored: dict[str, Any], form: str) -> dict[str, Any]:
    columns = stored["columns"]
    if form == "width":
        stored["columns"] = columns[:1]
    elif form == "code-out-of-range":
        stored["columns"][1] = {"distinct": ["evil"], "codes": [5] * len(columns[0])}
    elif form == "negative-code":
        stored["columns"][1] = {"distinct": ["evil"], "codes": [-1] * len(columns[0])}
    elif form == "code-not-a-number":
        stored["columns"][1] = {"distinct": ["evil"], "codes": ["0"] * len(columns[0])}
    elif form == "short-column":
        stored["columns"][1] = columns[1][:-1] if isinstance(columns[1], list) else []
    elif form == "groups-miscounted":
        stored["groups"] = [[HZ, len(columns[0]) + 1]]
    elif form == "group-twice":
        stored["groups"] = [[HZ, 0], *stored["groups"]]
    else:
        stored["groups"] = "everything"
    return stored


@pytest.mark.parametrize("form", ["width", "code-out-of-range", "negative-code",
                                  "code-not-a-number", "short-column", "groups-miscounted",
                                  "group-twice", "groups-not-a-list"])
def test_a_kept_file_of_columns_in_another_shape_is_extracted_again(
        repo: TinyRepository, form: str) -> None:
    """A file whose stamp and checksum agree (written by another version, or by hand) but
    whose columns are not those of this projection is never decoded into rows."""
    cold = _names_as_columns(repo)
    for target in _cache_files(repo):
        header, _, body = target.read_bytes().partition(b"\n")
        forged = orjson.dumps(_forged(orjson.loads(body), form))
        head = orjson.loads(header)
        head["crc"] = zlib.crc32(forged)
        target.write_bytes(orjson.dumps(head) + b"\n" + forged)
    again = Counting()
    assert _names_as_columns(TinyRepository(repo.root), again) == cold
    assert again.calls == 200


FIELDS = "fields-test-1"
KINDS: tuple[Accepted, ...] = (TEXT, TEXT, frozenset({int}), frozenset({float, type(None)}),
                               frozenset({bool}), ListOf(TEXT), TEXT)
"""The types of what ``CountingFields`` gives: a field of each kind."""


class CountingFields:
    """An extractor of a field of each kind that counts the documents it was given: key and
    name (text), size (int), end of the pending window (float, None for none), public (bool),
    the accounts it is shared with (list of text), its tags (JSON text)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, key: str, doc: dict[str, Any]) -> list[Any]:
        self.calls += 1
        tags = doc.get("tags") or ()
        return [key, doc["image_name"], doc["size"], doc.get("pending_end"),
                doc.get("is_public", False), [s["account_id"] for s in doc.get("shares") or ()],
                orjson.dumps([[t["key"], t.get("value", "")] for t in tags]).decode() if tags
                else ""]


@pytest.fixture
def varied(tmp_path: Path) -> TinyRepository:
    """200 images whose fields of each kind take several values."""
    found = TinyRepository(tmp_path / "catalogue")
    with found.transaction() as tx:
        for n in range(200):
            pending = 1.75e9 + n / 4 if n % 5 == 0 else 0.0
            tx.put(tables.IMAGES, dataclasses.replace(
                _image(n), size=20 * (n % 3 + 1), is_public=n % 4 == 0,
                pending_start=pending and pending - 60, pending_end=pending,
                shares=tuple(m.SharePermission(f"{k + 1}" * 16, "2025-02-01T00:00:00Z")
                             for k in range(n % 3)),
                tags=(m.Tag("env", f"e{n % 7}"),) if n % 2 else ()))
    return found


def _fields(repo: TinyRepository, extract: CountingFields | None = None) -> list[list[Any]]:
    """Every image's fields (``CountingFields``), by key."""
    rows: list[list[Any]] = []

    def collect(part: list[Column], done: int, total: int) -> None:
        rows.extend(list(row) for row in zip(*[c.values for c in part], strict=True))

    repo.project_columns(tables.IMAGES, None, extract or CountingFields(), KINDS, collect,
                         cache=FIELDS)
    return sorted(rows, key=lambda row: str(row[0]))


@pytest.mark.parametrize("coded", [False, True], ids=["plain", "coded"])
@pytest.mark.parametrize(("field", "wrong"), [
    pytest.param(1, ["name-1"], id="text-holding-a-list"),
    pytest.param(1, 5, id="text-holding-a-number"),
    pytest.param(2, "40", id="int-holding-text"),
    pytest.param(2, True, id="int-holding-a-bool"),
    pytest.param(2, 40.5, id="int-holding-a-float"),
    pytest.param(3, "1.5", id="float-holding-text"),
    pytest.param(3, 7, id="float-holding-an-int"),
    pytest.param(3, [1.5], id="float-holding-a-list"),
    pytest.param(4, "true", id="bool-holding-text"),
    pytest.param(4, 1, id="bool-holding-an-int"),
    pytest.param(5, "1111111111111111", id="list-holding-text"),
    pytest.param(5, ["1111111111111111", 2], id="list-holding-a-number"),
    pytest.param(6, 3, id="tags-holding-a-number"),
    pytest.param(6, [["env", "e1"]], id="tags-holding-a-list"),
])
def test_a_kept_file_with_a_value_of_another_type_is_extracted_again(
        varied: TinyRepository, field: int, wrong: Any, coded: bool) -> None:
    """A file whose stamp and checksum agree and whose columns have the right shape, but
    with one value of a type the reader does not declare, is read again from the shard and
    written again as a cold read writes it."""
    cold = _fields(varied)
    kept = {path: path.read_bytes() for path in _cache_files(varied, FIELDS)}
    assert kept
    for target in kept:
        rewrite_kept(target, lambda stored: with_a_value_of_another_type(stored, field, wrong,
                                                                         coded))
        body = orjson.loads(target.read_bytes().partition(b"\n")[2])
        assert columns.decode(body, len(KINDS), None) is not None  # only the type is wrong
        assert columns.decode(body, len(KINDS), None, KINDS) is None
    again = CountingFields()
    assert _fields(TinyRepository(varied.root), again) == cold
    assert again.calls == 200
    assert {path: path.read_bytes() for path in kept} == kept  # as the cold read wrote them
    warm = CountingFields()
    assert _fields(TinyRepository(varied.root), warm) == cold
    assert warm.calls == 0


def test_columns_of_a_group_are_its_documents_alone(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "catalogue")
    with repo.transaction() as tx:
        for n in range(120):
            region = ("cn-hangzhou", "cn-shanghai", "cn-beijing")[n % 3]
            tx.put(tables.IMAGES, dataclasses.replace(_image(n), region_id=region))
    for attempt in range(2):  # extracted, then kept
        for group, expected in (("cn-shanghai", 40), ("cn-beijing", 40), ("us-east-1", 0),
                                (None, 120)):
            extract = Counting()
            found: list[str] = []

            def collect(part: list[Column], done: int, total: int,
                        found: list[str] = found) -> None:
                found.extend(part[0].values)

            repo.project_columns(tables.IMAGES, group, extract, NAMES, collect, cache=NAME)
            assert len(found) == expected, (attempt, group)
            assert all(key.startswith(f"{group}/") for key in found) or group is None
            assert extract.calls == (120 if attempt == 0 and group == "cn-shanghai" else 0)
