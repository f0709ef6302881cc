"""The Repository contract, run on every implementation: TinyDB on files and in memory."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.errors import CatalogueError
from ecsimg.store import tables
from ecsimg.store.columns import Accepted, Column, ListOf
from ecsimg.store.memstore import MemoryRepository
from ecsimg.store.repository import Repository
from ecsimg.store.tinystore import TinyRepository
from tests.store.index_checks import view_disagreements

HZ, SH = "cn-hangzhou", "cn-shanghai"
OWNER, DEV, PARTNER = "1234567890123456", "2345678901234567", "3456789012345678"


def _image(n: int, region: str = HZ, shared_with: tuple[str, ...] = ()) -> m.Image:
    return m.Image(
        region, f"m-{n:020d}", f"name-{n}", "custom", OWNER, "linux", "Aliyun",
        "Alibaba Cloud Linux 3", "Alibaba Cloud Linux 3", "x86_64", 40,
        f"2025-01-{n % 28 + 1:02d}T00:00:00Z",
        shares=tuple(m.SharePermission(a, "2025-02-01T00:00:00Z") for a in shared_with),
    )


def _account(account_id: str, quota: int = 100) -> m.Account:
    return m.Account(account_id, f"name-{account_id[:4]}", "china", image_quota=quota)


@pytest.fixture(params=["tinydb", "memory"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    """An empty repository of each implementation."""
    found: Repository = (TinyRepository(tmp_path / "catalogue") if request.param == "tinydb"
                         else MemoryRepository(tmp_path / "catalogue"))
    yield found
    found.close()


def _fill(repo: Repository) -> dict[str, m.Image]:
    """Images in two regions, some shared; returns them by key."""
    images = [_image(1), _image(2, shared_with=(DEV,)), _image(3, shared_with=(DEV, PARTNER)),
              _image(4, SH), _image(5, SH, shared_with=(PARTNER,))]
    with repo.transaction() as tx:
        for image in images:
            tx.put(tables.IMAGES, image)
        tx.put(tables.ACCOUNTS, _account(OWNER))
    return {image.key: image for image in images}


def _state(repo: Repository) -> dict[str, object]:
    with repo.read() as view:
        return {
            "images": sorted(map(repr, view.all(tables.IMAGES))),
            "accounts": sorted(map(repr, view.all(tables.ACCOUNTS))),
            "rows": {r: sorted(map(repr, view.listing(r) or ())) for r in (HZ, SH)},
            "received": view.shares_received([DEV, PARTNER, OWNER]),
        }


def test_an_empty_repository_is_empty_until_the_first_commit(repo: Repository) -> None:
    assert repo.is_empty()
    with repo.read() as view:
        assert view.all(tables.IMAGES) == []
        assert view.get(tables.ACCOUNTS, OWNER) is None
        assert view.shares_received([DEV]) == {DEV: 0}
        assert list(view.listing(HZ) or ()) == []
    _fill(repo)
    assert not repo.is_empty()


def test_reads_see_what_a_transaction_committed(repo: Repository) -> None:
    images = _fill(repo)
    with repo.read() as view:
        for key, image in images.items():
            assert view.get(tables.IMAGES, key) == image
        assert view.get(tables.IMAGES, f"{HZ}/m-missing") is None
        assert view.get(tables.ACCOUNTS, OWNER) == _account(OWNER)


def test_get_all_group_and_scan_agree(repo: Repository) -> None:
    images = _fill(repo)
    with repo.read() as view:
        every = view.all(tables.IMAGES)
        assert sorted(i.key for i in every) == sorted(images)
        by_region = {r: view.group(tables.IMAGES, r) for r in (HZ, SH)}
        assert sorted(i.key for g in by_region.values() for i in g) == sorted(images)
        for region, members in by_region.items():
            assert all(i.region_id == region for i in members)
            assert list(view.iter_group(tables.IMAGES, region)) == members
            scanned = view.scan(tables.IMAGES, region)
            assert sorted((i.key, i.image_name) for i in scanned) == sorted(
                (i.key, i.image_name) for i in members)
        assert all(view.get(tables.IMAGES, i.key) == i for i in every)
        assert view.group(tables.IMAGES, "eu-central-1") == []


def test_an_exception_inside_a_transaction_applies_nothing(repo: Repository) -> None:
    images = _fill(repo)
    before = _state(repo)
    first = next(iter(images.values()))
    with pytest.raises(RuntimeError), repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(first, image_name="half-done",
                                                  shares=(m.SharePermission(DEV, "t"),)))
        tx.delete(tables.IMAGES, _image(5, SH).key)
        tx.put(tables.IMAGES, _image(9, SH, shared_with=(PARTNER,)))
        tx.put(tables.ACCOUNTS, _account(DEV))
        raise RuntimeError("rule broken halfway")
    assert _state(repo) == before
    with repo.read() as view:
        assert view_disagreements(view, (HZ, SH)) == []


def test_a_transaction_reads_its_own_writes(repo: Repository) -> None:
    _fill(repo)
    renamed = dataclasses.replace(_image(1), image_name="renamed", shares=(
        m.SharePermission(PARTNER, "t"),))
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, renamed)
        tx.delete(tables.IMAGES, _image(4, SH).key)
        tx.put(tables.IMAGES, _image(7, SH))
        assert tx.get(tables.IMAGES, renamed.key) == renamed
        assert tx.get(tables.IMAGES, _image(4, SH).key) is None
        assert sorted(i.image_id for i in tx.group(tables.IMAGES, SH)) == [
            _image(5).image_id, _image(7).image_id]
        assert renamed in tx.all(tables.IMAGES)
        assert _image(4, SH) not in tx.all(tables.IMAGES)
        # A listing may decline to answer inside a transaction (None), never answer wrongly.
        rows = tx.listing(SH)
        assert rows is None or sorted(r.image_id for r in rows) == [
            _image(5).image_id, _image(7).image_id]
        assert tx.shares_received([DEV, PARTNER]) == {DEV: 2, PARTNER: 3}
    with repo.read() as view:
        assert view_disagreements(view, (HZ, SH)) == []
        assert view.shares_received([DEV, PARTNER]) == {DEV: 2, PARTNER: 3}


def test_listing_rows_follow_puts_updates_and_deletes(repo: Repository) -> None:
    images = _fill(repo)
    with repo.read() as view:
        assert view_disagreements(view, (HZ, SH)) == []
        rows = view.listing(HZ)
        assert rows is not None and sorted(r.key for r in rows) == sorted(
            k for k in images if k.startswith(HZ))
    steps: list[tuple[list[m.Image], list[str]]] = [  # (puts, deletes)
        ([dataclasses.replace(_image(2), status="Deprecated", is_public=True)], []),
        ([_image(10, shared_with=(DEV,))], [_image(3).key]),
        ([dataclasses.replace(_image(5, SH), shares=())], []),
        ([], [_image(4, SH).key, _image(5, SH).key]),
    ]
    for step in steps:
        puts, deletes = step
        with repo.transaction() as tx:
            for image in puts:
                tx.put(tables.IMAGES, image)
            for key in deletes:
                tx.delete(tables.IMAGES, key)
        with repo.read() as view:
            assert view_disagreements(view, (HZ, SH)) == [], step
    with repo.read() as view:
        assert list(view.listing(SH) or ()) == []
        row = next(r for r in view.listing(HZ) or () if r.image_id == _image(2).image_id)
        assert (row.status, row.is_public) == ("Deprecated", True)
        assert view.shares_received([DEV, PARTNER]) == {DEV: 1, PARTNER: 0}


def test_shares_received_counts_every_region(repo: Repository) -> None:
    _fill(repo)
    with repo.read() as view:
        assert view.shares_received([DEV, PARTNER, OWNER]) == {DEV: 2, PARTNER: 2, OWNER: 0}
        assert view.shares_received(iter([PARTNER])) == {PARTNER: 2}


def test_field_values_give_one_field_and_none_for_missing_records(repo: Repository) -> None:
    images = _fill(repo)
    keys = sorted(images)
    found = repo.field_values(tables.IMAGES, "image_name", [*keys, f"{HZ}/m-missing"])
    assert found == {**{k: images[k].image_name for k in keys}, f"{HZ}/m-missing": None}
    assert repo.field_values(tables.IMAGES, "size", keys[:1]) == {keys[0]: 40}


def test_preload_leaves_every_read_the_same(repo: Repository) -> None:
    _fill(repo)
    before = _state(repo)
    repo.preload(tables.IMAGES)
    assert _state(repo) == before


def test_refresh_reports_no_change_when_nothing_was_written(repo: Repository) -> None:
    _fill(repo)
    repo.refresh()
    assert repo.refresh() is False


def test_concurrent_transactions_lose_no_update(repo: Repository) -> None:
    """Read-modify-write from several threads: each increment lands exactly once."""
    with repo.transaction() as tx:
        tx.put(tables.ACCOUNTS, _account(OWNER, quota=0))
    errors: list[BaseException] = []

    def bump(times: int) -> None:
        try:
            for _ in range(times):
                with repo.transaction() as tx:
                    found = tx.get(tables.ACCOUNTS, OWNER)
                    assert found is not None
                    tx.put(tables.ACCOUNTS,
                           dataclasses.replace(found, image_quota=(found.image_quota or 0) + 1))
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=bump, args=(8,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with repo.read() as view:
        found = view.get(tables.ACCOUNTS, OWNER)
    assert found is not None and found.image_quota == 24


def test_a_read_sees_one_commit_throughout(repo: Repository) -> None:
    """A writer in another thread waits until the read ends; the read sees no part of it."""
    _fill(repo)
    wrote = threading.Event()

    def write() -> None:
        with repo.transaction() as tx:
            tx.delete(tables.IMAGES, _image(1).key)
            tx.put(tables.IMAGES, _image(11))
        wrote.set()

    with repo.read() as view:
        first = sorted(i.key for i in view.all(tables.IMAGES))
        writer = threading.Thread(target=write)
        writer.start()
        assert not wrote.wait(0.3)
        assert sorted(i.key for i in view.all(tables.IMAGES)) == first
        assert view.get(tables.IMAGES, _image(11).key) is None
    writer.join()
    with repo.read() as view:
        assert view.get(tables.IMAGES, _image(11).key) == _image(11)
        assert view.get(tables.IMAGES, _image(1).key) is None


def test_the_memory_repository_loads_no_tinydb() -> None:
    """TinyDB stays behind its own implementation (SPEC section 2)."""
    code = ("import sys; import ecsimg.store.memstore; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tinydb'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_a_large_transaction_reads_its_own_writes_and_commits_them_whole(
        repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsimg.store import views

    monkeypatch.setattr(views, "PACK_AFTER", 2)  # TinyDB keeps the rest as documents only
    before = _fill(repo)
    images = [_image(n, HZ if n % 2 else SH, shared_with=(DEV,) if n % 3 else ())
              for n in range(10, 30)]
    with repo.transaction() as tx:
        for image in images:
            tx.put(tables.IMAGES, image)
        tx.delete(tables.IMAGES, images[3].key)
        tx.put(tables.IMAGES, dataclasses.replace(images[4], image_name="renamed"))
        assert tx.get(tables.IMAGES, images[3].key) is None
        assert tx.get(tables.IMAGES, images[4].key).image_name == "renamed"  # type: ignore[union-attr]
        found = tx.get_many(tables.IMAGES, [images[5].key, images[3].key, "cn-hangzhou/m-no",
                                            *before])
        assert found[images[5].key] == images[5] and found[images[3].key] is None
        assert found["cn-hangzhou/m-no"] is None
        assert all(found[key] == image for key, image in before.items())
        in_hz = {i.key for i in tx.group(tables.IMAGES, HZ)}
        assert images[1].key in in_hz and images[3].key not in in_hz
        assert tx.shares_received([DEV])[DEV] == 2 + sum(
            1 for i in images if i.shares and i is not images[3])
    expected = {**before, **{i.key: i for i in images}}
    del expected[images[3].key]
    expected[images[4].key] = dataclasses.replace(images[4], image_name="renamed")
    with repo.read() as view:
        assert {i.key: i for i in view.all(tables.IMAGES)} == expected
        assert view.get_many(tables.IMAGES, list(expected)) == expected
        assert view_disagreements(view, (HZ, SH)) == []


def _projected(repo: Repository, table: tables.Table[Any], group: str | None,
               extract: Callable[[str, Any], Any], **options: Any) -> list[Any]:
    found: list[Any] = []
    repo.project(table, group, extract, lambda values, done, total: found.extend(values),
                 **options)
    return found


def test_project_gives_each_document_of_a_group_and_keeps_what_extract_returns(
        repo: Repository) -> None:
    images = _fill(repo)
    codec = tables.IMAGES.codec

    def names(key: str, doc: dict[str, object]) -> tuple[str, object] | None:
        return None if key.endswith("2") else (key, doc["image_name"])

    found = sorted(_projected(repo, tables.IMAGES, HZ, names))
    assert found == [(key, image.image_name) for key, image in sorted(images.items())
                     if image.region_id == HZ and not key.endswith("2")]
    # The documents are the records as the codec encodes them, defaults left out.
    docs = dict(_projected(repo, tables.IMAGES, None, lambda key, doc: (key, doc)))
    assert docs == {key: codec.encode(image) for key, image in images.items()}
    assert "is_public" not in docs[f"{HZ}/m-{1:020d}"]


def test_project_passes_a_large_table_shard_by_shard(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "catalogue")
    with repo.transaction() as tx:
        for n in range(300):
            tx.put(tables.IMAGES, _image(n))
    parts: list[tuple[int, int, int]] = []
    repo.project(tables.IMAGES, HZ, lambda key, doc: key,
                 lambda values, done, total: parts.append((done, total, len(values))))
    assert sum(n for _, _, n in parts) == 300
    assert [done for done, _, _ in parts] == list(range(1, tables.IMAGES.shards + 1))
    assert {total for _, total, _ in parts} == {tables.IMAGES.shards}


def test_project_names_a_malformed_record(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "catalogue")
    _fill(repo)
    with pytest.raises(CatalogueError, match=r"m-0+1.*malformed"):
        _projected(repo, tables.IMAGES, HZ, lambda key, doc: doc["no_such_field"])


@pytest.mark.parametrize("preloaded", [False, True])
def test_field_values_of_many_keys_read_every_shard_once_and_agree(
        repo: Repository, preloaded: bool) -> None:
    """Past a few hundred keys a shard, every shard is read whole instead of hashing each
    key: the answer must be the same, the missing keys None."""
    sizes = {f"s-{n:020d}": n % 500 + 1 for n in range(2600)}
    with repo.transaction() as tx:
        for snapshot_id, size in sizes.items():
            tx.put(tables.SNAPSHOTS, m.Snapshot(snapshot_id, HZ, OWNER, "d-1", "system", size,
                                                "2025-01-01T00:00:00Z"))
    if preloaded:
        repo.preload(tables.SNAPSHOTS)
    wanted = [*sizes, "s-missing-1", "s-missing-2"]
    assert len(wanted) > 256 * tables.SNAPSHOTS.shards
    found = repo.field_values(tables.SNAPSHOTS, "size", wanted)
    assert found == {**sizes, "s-missing-1": None, "s-missing-2": None}


TEXT = frozenset({str})
FIELD_TYPES: tuple[Accepted, ...] = (TEXT, TEXT, frozenset({bool}), ListOf(TEXT))
"""The types of what ``_contract_fields`` gives."""


def _contract_fields(key: str, doc: dict[str, Any]) -> list[Any] | None:
    if key.endswith("2"):
        return None
    return [key, doc["image_name"], doc.get("is_public", False),
            [s["account_id"] for s in doc.get("shares") or ()]]


def _column_rows(repo: Repository, group: str | None,
                 fields: Callable[[str, Any], list[Any] | None],
                 types: tuple[Accepted, ...], cache: str | None) -> list[list[Any]]:
    parts: list[list[Column]] = []

    def collect(part: list[Column], done: int, total: int) -> None:
        parts.append(part)

    repo.project_columns(tables.IMAGES, group, fields, types, collect, cache=cache)
    assert all(len(part) == len(types) for part in parts)
    return [list(row) for part in parts for row in zip(*[c.values for c in part], strict=True)]


def test_project_columns_gives_what_project_gives_a_column_per_field(
        repo: Repository) -> None:
    _fill(repo)
    for group in (HZ, SH, None, "us-east-1"):
        for cache in (None, "contract-columns-1", "contract-columns-1"):  # made, then kept
            rows = _column_rows(repo, group, _contract_fields, FIELD_TYPES, cache)
            assert sorted(rows) == sorted(
                _projected(repo, tables.IMAGES, group, _contract_fields)), (group, cache)


def test_project_columns_passes_values_of_undeclared_types_on_and_keeps_none(
        repo: Repository) -> None:
    """Values ``extract`` gives of a type the caller did not declare (an int where it said
    text) are passed on as extracted, every time: they are never kept to be reused."""
    _fill(repo)
    calls: list[str] = []

    def fields(key: str, doc: dict[str, Any]) -> list[Any]:
        calls.append(key)
        return [key, doc["size"]]

    for _ in range(2):
        calls.clear()
        rows = _column_rows(repo, None, fields, (TEXT, TEXT), "contract-undeclared-1")
        assert len(calls) == len(rows) == 5  # extracted again: nothing was kept
        assert {type(size) for _, size in rows} == {int}
        assert sorted(rows) == sorted(_projected(repo, tables.IMAGES, None, fields))


def test_project_columns_gives_each_part_a_check_may_refuse_as_extracted(
        repo: Repository) -> None:
    """A part the caller's ``check`` refuses is extracted again from its records; the
    parts passed on are the same either way, and every one of them was checked or
    extracted."""
    _fill(repo)
    calls: list[str] = []
    checked: list[int] = []

    def fields(key: str, doc: dict[str, Any]) -> list[Any]:
        calls.append(key)
        return [key, doc["image_name"]]

    def collect_rows(check: Any) -> list[list[Any]]:
        parts: list[list[Column]] = []
        repo.project_columns(tables.IMAGES, None, fields, (TEXT, TEXT),
                             lambda part, done, total: parts.append(part),
                             cache="contract-check-1", check=check)
        return sorted(list(row) for part in parts
                      for row in zip(*[c.values for c in part], strict=True))

    first = collect_rows(None)  # extracted, and kept where a store keeps projections
    assert len(first) == len(calls) == 5
    for accept in (True, False):
        calls.clear()
        checked.clear()

        def check(part: list[Column], accept: bool = accept) -> bool:
            checked.append(len(part[0].values))
            return accept

        rows = collect_rows(check)
        assert rows == first
        if accept:  # what was kept (if any) was checked and used, or extracted
            assert sum(checked) + len(calls) >= 5
        else:  # nothing refused is passed on: every record extracted again
            assert len(calls) == 5
