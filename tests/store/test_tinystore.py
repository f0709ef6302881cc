"""The TinyDB repository on real files: atomicity, recovery, refusal, locking, migration."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import orjson
import pytest

from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.models import Account, CatalogueSettings, Image
from ecsimg.store import migrations, tables
from ecsimg.store.tinystore import TinyRepository
from tests.store.index_checks import (
    index_disagreements,
    spans_disagreements,
    stale_shards,
    unspanned_shards,
)


def _image(n: int, region: str = "cn-hangzhou") -> Image:
    return Image(
        region,
        f"m-{n:020d}",
        f"name-{n}",
        "custom",
        "1234567890123456",
        "linux",
        "Aliyun",
        "Alibaba Cloud Linux 3",
        "Alibaba Cloud Linux 3",
        "x86_64",
        40,
        "2025-01-01T00:00:00Z",
    )


def _fill(repo: TinyRepository, count: int) -> None:
    with repo.transaction() as tx:
        for n in range(count):
            tx.put(tables.IMAGES, _image(n))


def _snapshot_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}


def test_records_survive_reopening(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 50)
    with TinyRepository(root).read() as view:
        assert len(view.group(tables.IMAGES, "cn-hangzhou")) == 50
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000007") == _image(7)


def test_a_write_rewrites_only_the_shards_it_touches(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    _fill(repo, 500)
    before = {p.name: p.stat().st_ino for p in (root / "images").iterdir()}
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(3), image_name="renamed"))
    after = {p.name: p.stat().st_ino for p in (root / "images").iterdir()}
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [f"{tables.IMAGES.shard_of('cn-hangzhou/m-00000000000000000003')}.json"]


def test_an_exception_inside_a_transaction_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    _fill(repo, 10)
    files = _snapshot_bytes(root)
    with pytest.raises(RuntimeError), repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(1), image_name="half-done"))
        tx.delete(tables.IMAGES, "cn-hangzhou/m-00000000000000000002")
        raise RuntimeError("rule broken halfway")
    assert _snapshot_bytes(root) == files
    with repo.read() as view:
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000001") == _image(1)
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000002") is not None


def test_reads_inside_a_transaction_see_its_own_writes(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "cat")
    _fill(repo, 3)
    with repo.transaction() as tx:
        tx.delete(tables.IMAGES, "cn-hangzhou/m-00000000000000000000")
        tx.put(tables.IMAGES, _image(9, region="cn-beijing"))
        assert tx.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000000") is None
        assert len(tx.group(tables.IMAGES, "cn-hangzhou")) == 2
        assert len(tx.group(tables.IMAGES, "cn-beijing")) == 1
        assert len(tx.all(tables.IMAGES)) == 3


def _write_journal(
    root: Path, ops: list[list[object]], generation: int, crc: int | None = None
) -> None:
    body = orjson.dumps({"generation": generation, "ops": ops})
    record = {"crc": zlib.crc32(body) if crc is None else crc, "body": body.decode()}
    (root / "journal.json").write_bytes(orjson.dumps(record))


def test_a_committed_journal_left_by_a_crash_is_replayed(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    _fill(repo, 5)
    renamed = tables.IMAGES.codec.encode(dataclasses.replace(_image(4), image_name="after-crash"))
    _write_journal(
        root,
        [
            ["images", "cn-hangzhou/m-00000000000000000004", renamed],
            ["images", "cn-hangzhou/m-00000000000000000000", None],
        ],
        2,
    )
    # A reader applies it in memory and writes nothing; the next writer applies it on disk.
    with TinyRepository(root).read() as view:
        replayed = view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000004")
        assert replayed is not None and replayed.image_name == "after-crash"
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000000") is None
    assert (root / "journal.json").exists()
    with TinyRepository(root).transaction():
        pass
    assert not (root / "journal.json").exists()
    with TinyRepository(root).read() as view:
        replayed = view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000004")
        assert replayed is not None and replayed.image_name == "after-crash"
        assert len(view.all(tables.IMAGES)) == 4


@pytest.mark.parametrize("damage", ["checksum", "truncated", "bad ops"])
def test_a_damaged_journal_is_refused_naming_it(tmp_path: Path, damage: str) -> None:
    """ecsimg renames a journal into place whole, so a damaged one was damaged afterwards and
    may hold a committed change: it is named and refused, never set aside without a word."""
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 5)
    ops: list[list[object]] = [["images", "cn-hangzhou/m-00000000000000000004", None]]
    if damage == "bad ops":
        ops = [["no-such-table", "k", {}]]
    _write_journal(root, ops, 2, crc=1 if damage == "checksum" else None)
    if damage == "truncated":
        raw = (root / "journal.json").read_bytes()
        (root / "journal.json").write_bytes(raw[: len(raw) // 2])
    before = (root / "journal.json").read_bytes()
    for opening in ("read", "transaction"):
        with pytest.raises(CatalogueError, match=r"journal\.json: damaged"), getattr(
                TinyRepository(root), opening)():
            pass
    assert (root / "journal.json").read_bytes() == before


@pytest.mark.parametrize(
    ("target", "content", "problem"),
    [
        ("meta.json", b"{not json", "not valid JSON"),
        (
            "meta.json",
            b'{"format": "something-else", "schema": 1, "generation": 1}',
            "not an ecsimg catalogue",
        ),
        (
            "meta.json",
            b'{"format": "ecsimg-catalogue", "schema": 99, "generation": 1}',
            "newer ecsimg",
        ),
        ("images/SHARD", b'{"images": {"k": ', "not valid JSON"),
        (
            "images/SHARD",
            b'{"images": {"cn-hangzhou/m-00000000000000000001": {"image_id": 5}}}',
            "malformed",
        ),
    ],
)
def test_an_unreadable_catalogue_is_refused_by_name_and_left_untouched(
    tmp_path: Path, target: str, content: bytes, problem: str
) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 20)
    if target == "images/SHARD":
        target = f"images/{tables.IMAGES.shard_of('cn-hangzhou/m-00000000000000000001')}.json"
    (root / target).write_bytes(content)
    files = _snapshot_bytes(root)
    repo = TinyRepository(root)
    with pytest.raises(CatalogueError) as caught, repo.transaction() as tx:
        tx.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000001")
        tx.put(tables.ACCOUNTS, Account("1234567890123456", "x"))
    assert str(root / target) in str(caught.value)
    assert problem in str(caught.value)
    assert _snapshot_bytes(root) == files


def test_a_first_commit_killed_before_its_commit_point_leaves_a_usable_catalogue(
        tmp_path: Path) -> None:
    # What a SIGKILL between the first commit's table folders and its journal rename leaves:
    # folders holding only hidden temporary files, and no meta.json (found by the SIGKILL
    # campaign on a loaded machine, where the first kill landed in the first commit).
    root = tmp_path / "cat"
    root.mkdir()
    for name in ("images", "image_rows", "image_shares"):
        (root / name).mkdir()
        (root / name / f".00.json.{name}0123456789.tmp").write_bytes(b"{")
    (root / "image_spans").mkdir()
    repo = TinyRepository(root)
    with repo.read() as view:
        assert view.all(tables.IMAGES) == []
    _fill(repo, 3)
    with TinyRepository(root).read() as view:
        assert len(view.all(tables.IMAGES)) == 3


def test_a_table_folder_holding_other_files_is_still_refused(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    (root / "images").mkdir(parents=True)
    (root / "images" / "notes.txt").write_text("mine")
    with (
        pytest.raises(CatalogueError, match="not an ecsimg catalogue"),
        TinyRepository(root).read(),
    ):
        pass
    assert (root / "images" / "notes.txt").read_text() == "mine"


def test_a_folder_of_other_files_is_not_taken_for_a_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    (root / "holiday.jpg").write_bytes(b"\xff\xd8")
    with (
        pytest.raises(CatalogueError, match="not an ecsimg catalogue"),
        TinyRepository(root).read(),
    ):
        pass
    assert sorted(p.name for p in root.iterdir()) == [".lock", "holiday.jpg"]


def test_a_plain_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text("{}")
    with pytest.raises(CatalogueError, match="is a file"):
        TinyRepository(path)
    assert path.read_text() == "{}"


def test_migration_keeps_a_backup_and_raises_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 3)
    current = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", current + 1)
    ran: list[Path] = []
    monkeypatch.setitem(migrations.MIGRATIONS, current, ran.append)
    with TinyRepository(root).read() as view:
        assert len(view.all(tables.IMAGES)) == 3
    assert len(ran) == 1 and ran[0].parent == root.parent and ran[0] != root
    assert orjson.loads((root / "meta.json").read_bytes())["schema"] == current + 1
    assert not ran[0].exists()
    backups = list(tmp_path.glob(f"cat.backup-schema{current}-*"))
    assert len(backups) == 1
    assert orjson.loads((backups[0] / "meta.json").read_bytes())["schema"] == current


def test_threads_lose_no_update(tmp_path: Path) -> None:
    repo = TinyRepository(tmp_path / "cat")
    with repo.transaction() as tx:
        tx.put(tables.ACCOUNTS, Account("1234567890123456", "counter", image_quota=0))

    def bump() -> None:
        for _ in range(25):
            with repo.transaction() as tx:
                account = tx.get(tables.ACCOUNTS, "1234567890123456")
                assert account is not None
                tx.put(
                    tables.ACCOUNTS,
                    dataclasses.replace(account, image_quota=(account.image_quota or 0) + 1),
                )

    workers = [threading.Thread(target=bump) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with repo.read() as view:
        assert view.get(tables.ACCOUNTS, "1234567890123456").image_quota == 100  # type: ignore[union-attr]


_BUMPER = """
import dataclasses, sys
from pathlib import Path
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
repo = TinyRepository(Path(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    with repo.transaction() as tx:
        account = tx.get(tables.ACCOUNTS, "1234567890123456")
        tx.put(tables.ACCOUNTS, dataclasses.replace(account, image_quota=account.image_quota + 1))
"""


def test_two_processes_lose_no_update_and_each_sees_the_other(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    with repo.transaction() as tx:
        tx.put(tables.ACCOUNTS, Account("1234567890123456", "counter", image_quota=0))
    with repo.read() as view:
        assert view.get(tables.ACCOUNTS, "1234567890123456").image_quota == 0  # type: ignore[union-attr]
    procs = [subprocess.Popen([sys.executable, "-c", _BUMPER, str(root), "40"]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert repo.refresh() is True
    with repo.read() as view:
        assert view.get(tables.ACCOUNTS, "1234567890123456").image_quota == 80  # type: ignore[union-attr]


_ACKER = """
import sys
from pathlib import Path
from ecsimg.domain.models import Image, SharePermission
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
repo = TinyRepository(Path(sys.argv[1]))
start = int(sys.argv[2])
for n in range(start, start + 100000):
    with repo.transaction() as tx:
        for k in range(3):
            # One image of three is shared: the commit then touches every index.
            shares = (SharePermission("6000000000000001", "t"),) if k == 0 else ()
            tx.put(tables.IMAGES, Image("cn-hangzhou", f"m-{n:017d}{k:03d}", "n", "custom",
                   "1234567890123456", "linux", "Aliyun", "x", "x", "x86_64", 40, "t",
                   shares=shares))
    print(n, flush=True)
"""


def _kill_campaign(root: Path, kills: int, copied: bool = False) -> int:
    """Writers killed at random moments; with ``copied``, each starts on a copy of the
    catalogue (every file a new inode), so its first commit also repairs every index and
    spans file."""
    import gc
    import random
    import signal
    import time

    rng = random.Random(1234)
    acknowledged: set[int] = set()
    next_start = 0
    for _ in range(kills):
        if copied and root.exists():
            copy = root.with_name(root.name + "-copy")
            shutil.copytree(root, copy)
            shutil.rmtree(root)
            copy.rename(root)
        proc = subprocess.Popen(
            [sys.executable, "-c", _ACKER, str(root), str(next_start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.35 + rng.random() * 0.4)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        done = [int(line) for line in out.split()]
        acknowledged.update(done)
        next_start = (max(done) + 1) if done else next_start + 100000
        repo = TinyRepository(root)
        with repo.read() as view:
            present = {i.image_id for i in view.all(tables.IMAGES)}
        for n in done:
            for k in range(3):
                assert f"m-{n:017d}{k:03d}" in present
        # A transaction is whole or absent: never one or two of its three images.
        counts: dict[str, int] = {}
        for image_id in present:
            counts[image_id[:-3]] = counts.get(image_id[:-3], 0) + 1
        assert set(counts.values()) <= {3}
        # The indexes went into the same commit: a reader finds them agreeing with the data,
        # and once a writer has finished what the killed one committed, so do the files.
        assert index_disagreements(root) == []
        assert spans_disagreements(root) == []
        with repo.transaction() as tx:
            tx.put(tables.SETTINGS, CatalogueSettings())
        assert stale_shards(root) == unspanned_shards(root) == set()
        assert index_disagreements(root) == []
        assert spans_disagreements(root) == []
        # This process opens a repository per check and lets it go. What a read loaded is
        # frozen out of the cycle collector (``collector_paused``), so those repositories,
        # cycles all, were never freed: 200 kills took 24 GB. Thawed and collected between
        # kills, as the TUI does before each load (``ui.heap``).
        gc.unfreeze()
        gc.collect()
    return len(acknowledged)


def test_sigkill_during_writes_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    assert _kill_campaign(tmp_path / "cat", kills=6) > 0


def test_sigkill_during_a_commit_that_repairs_a_copied_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    with repo.transaction() as tx:  # enough images that the repair takes a while
        for n in range(3000):  # in threes, as the writers' transactions put them
            tx.put(tables.IMAGES, Image("cn-hangzhou", f"m-9{n // 3:016d}{n % 3:03d}", "n",
                                        "custom", "1234567890123456", "linux", "Aliyun", "x",
                                        "x", "x86_64", 40, "t"))
    assert _kill_campaign(root, kills=6, copied=True) > 0


@pytest.mark.slow
def test_sigkill_campaign(tmp_path: Path) -> None:
    kills = int(os.environ.get("ECSIMG_KILLS", "200"))
    assert _kill_campaign(tmp_path / "cat", kills=kills) > 0


def test_a_lookup_by_key_reads_only_that_image(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 300)
    repo = TinyRepository(root)
    with repo.read() as view:
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000007") == _image(7)
        assert view.get(tables.IMAGES, "cn-hangzhou/m-99999999999999999999") is None
    loaded = repo._loaded["images"]
    assert not loaded.complete
    assert loaded.known == set()  # no shard was read whole, only the image's own bytes
    # A write to a shard not yet read must not leave a half shard in memory.
    with repo.transaction() as tx:
        tx.put(tables.IMAGES, dataclasses.replace(_image(8), image_name="eight"))
    with repo.read() as view:
        everything = {i.image_id: i for i in view.all(tables.IMAGES)}
    assert len(everything) == 300
    assert everything["m-00000000000000000008"].image_name == "eight"


def test_preload_reports_the_part_read_so_far(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 500)
    repo = TinyRepository(root)
    seen: list[tuple[int, int, int]] = []
    repo.preload(tables.IMAGES, lambda done, total, view: seen.append(
        (done, total, len(view.group(tables.IMAGES, "cn-hangzhou")))))
    assert [d for d, _, _ in seen] == list(range(1, 64))
    assert all(t == 64 for _, t, _ in seen)
    assert [n for _, _, n in seen] == sorted(n for _, _, n in seen)
    with repo.read() as view:
        assert len(view.group(tables.IMAGES, "cn-hangzhou")) == 500


def test_field_values_read_one_field_without_keeping_records(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    _fill(TinyRepository(root), 200)
    repo = TinyRepository(root)
    keys = [f"cn-hangzhou/m-{n:020d}" for n in (3, 150)] + ["cn-hangzhou/m-missing"]
    assert repo.field_values(tables.IMAGES, "image_name", keys) == {
        keys[0]: "name-3", keys[1]: "name-150", keys[2]: None}
    assert repo.field_values(tables.IMAGES, "status", keys[:1]) == {keys[0]: "Available"}
    assert "images" not in repo._loaded
    with repo.read() as view:
        view.get(tables.IMAGES, keys[0])
    assert repo.field_values(tables.IMAGES, "size", keys[:1]) == {keys[0]: 40}


def test_a_running_process_completes_a_commit_another_process_died_in(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    running = TinyRepository(root)
    _fill(running, 5)
    with running.read() as view:
        assert len(view.all(tables.IMAGES)) == 5
    # Another process wrote its journal (the commit point) and died before the shards.
    renamed = tables.IMAGES.codec.encode(dataclasses.replace(_image(2), image_name="theirs"))
    generation = orjson.loads((root / "meta.json").read_bytes())["generation"]
    _write_journal(root, [["images", "cn-hangzhou/m-00000000000000000002", renamed]],
                   generation + 1)
    with running.transaction() as tx:
        seen = tx.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000002")
        assert seen is not None and seen.image_name == "theirs"
        tx.put(tables.IMAGES, dataclasses.replace(_image(3), image_name="ours"))
    assert not (root / "journal.json").exists()
    with TinyRepository(root).read() as view:
        names = {i.image_id[-1]: i.image_name for i in view.all(tables.IMAGES)}
    assert (names["2"], names["3"]) == ("theirs", "ours")
