"""Whole-catalogue changes built aside and swapped in: an interruption leaves the old or none.

``seed`` and schema migrations build the new catalogue in a hidden sibling folder
(``.<name>.building-<random>``, locked while it is built), then rename the old folder aside and
the new one into its place, and delete the old. Killed at any point, the catalogue path holds
the old catalogue or, between the two renames, none (which is created afresh on next use);
a leftover build is removed by the next swap, which can tell it is abandoned by its free lock.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ecsimg.domain.errors import CatalogueError
from ecsimg.store.files import check_folder, describe_os_error, fsync_folder

BUILDING = "building"
REPLACED = "replaced"
BUILD_LOCK = ".building"


def _sibling(root: Path, kind: str) -> Path:
    return root.with_name(f".{root.name}.{kind}-{secrets.token_hex(6)}")


@contextmanager
def building(root: Path) -> Iterator[Path]:
    """A new, locked, empty folder beside ``root`` to build into; removed if the build fails."""
    check_folder(root)
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(root)
        work = _sibling(root, BUILDING)
        work.mkdir()
        fd = os.open(work / BUILD_LOCK, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o644)
    except OSError as err:
        raise CatalogueError(f"{root.parent}: cannot build a catalogue there "
                             f"({describe_os_error(err)})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.close(fd)


def swap_in(work: Path, root: Path) -> None:
    """Put the built folder ``work`` at ``root``, deleting what was there."""
    check_folder(root)
    with suppress(FileNotFoundError):
        (work / BUILD_LOCK).unlink()
    old = _sibling(root, REPLACED)
    try:
        fsync_folder(work)
        try:
            os.rename(root, old)
        except FileNotFoundError:
            old = Path()
        os.rename(work, root)
        fsync_folder(root.parent)
    except OSError as err:
        raise CatalogueError(f"{root}: cannot put the new catalogue in place "
                             f"({describe_os_error(err)})") from None
    if old != Path():
        shutil.rmtree(old, ignore_errors=True)


def remove_abandoned(root: Path) -> None:
    """Delete builds nobody holds any more and old folders a swap did not finish deleting."""
    prefix = f".{root.name}."
    try:
        names = os.listdir(root.parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        kind = name[len(prefix):].split("-", 1)[0]
        path = root.parent / name
        if path.is_symlink() or not path.is_dir():
            continue
        if kind == REPLACED or (kind == BUILDING and not _held(path)):
            shutil.rmtree(path, ignore_errors=True)


def _held(work: Path) -> bool:
    try:
        fd = os.open(work / BUILD_LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
