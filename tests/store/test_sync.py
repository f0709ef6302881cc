"""Files of a commit are made durable together, and every one of them is."""

from __future__ import annotations

import errno
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from ecsimg.store import journal
from ecsimg.store.files import write_temp
from ecsimg.store.syncing import sync_at_once


def _record_fsyncs(monkeypatch: pytest.MonkeyPatch, fail: str = "") -> list[str]:
    """Each fsync'd descriptor's path, in the order they returned; ``fail``: a path whose
    fsync raises EIO."""
    synced: list[str] = []
    lock = threading.Lock()
    real = os.fsync

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if fail and path == fail:
            raise OSError(errno.EIO, "injected")
        real(fd)
        with lock:
            synced.append(path)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


def test_every_file_and_folder_given_is_synced(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = [write_temp(tmp_path / f"f{n}.json", b"{}", durable=False) for n in range(6)]
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    synced = _record_fsyncs(monkeypatch)
    sync_at_once(files)
    sync_at_once(folders, folders=True)
    assert sorted(synced) == sorted(str(p) for p in [*files, *folders])


def test_a_failed_sync_is_raised_once_the_others_have_ended(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [write_temp(tmp_path / f"f{n}.json", b"{}", durable=False) for n in range(5)]
    synced = _record_fsyncs(monkeypatch, fail=str(files[2]))
    with pytest.raises(OSError, match="injected"):
        sync_at_once(files)
    assert sorted(synced) == sorted(str(p) for n, p in enumerate(files) if n != 2)


def test_install_all_puts_each_file_in_place_then_syncs_each_folder_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "image_spans").mkdir()
    finals = [tmp_path / "images" / "1.json", tmp_path / "images" / "2.json",
              tmp_path / "image_spans" / "1.json", tmp_path / "meta.json"]
    written = [(write_temp(path, path.name.encode(), durable=False), path) for path in finals]
    synced = _record_fsyncs(monkeypatch)
    journal.install_all(written)
    assert [p.read_bytes() for p in finals] == [p.name.encode() for p in finals]
    # Spans are not made durable (a lost spans file is only not used): their folder is not
    # synced, and the others are synced once each.
    assert sorted(synced) == sorted([str(tmp_path / "images"), str(tmp_path)])


def test_prepare_leaves_its_files_to_the_caller_to_sync_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced = _record_fsyncs(monkeypatch)
    ops: list[list[Any]] = [["settings", "settings", {"current_profile": "x"}]]
    written = journal.prepare(tmp_path, ops, {"generation": 1}, sync=False)
    assert synced == []
    journal.sync_temps(written)
    assert sorted(synced) == sorted(str(tmp) for tmp, _ in written)
    journal.discard(written)


def test_a_forked_child_syncs_with_threads_of_its_own(tmp_path: Path) -> None:
    files = [write_temp(tmp_path / f"f{n}.json", b"{}", durable=False) for n in range(3)]
    sync_at_once(files)  # the parent's threads exist now
    pid = os.fork()
    if pid == 0:  # the child: exits 0 only if its syncs return, killed if they hang
        signal.alarm(30)
        try:
            sync_at_once(files)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
