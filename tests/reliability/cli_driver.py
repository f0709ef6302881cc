"""Writes to a catalogue through the CLI's ``main()`` in a loop, one line per acknowledged write.

Run as ``python cli_driver.py START SNAPSHOT_ID IMAGE_ID...`` with ECSIMG_DB set. Write ``seq``
is ``plan(seq, ...)``: a rename, a share or unshare, a CreateImage from the snapshot, and a
DeleteImage of the image the previous step created, in turn. ``ACK seq`` is printed only once
``main()`` returned 0, so every printed write was committed.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Sequence

SHARE_UID = "6000000000000001"
STEPS = 4


def created_name(seq: int) -> str:
    return f"c-{seq}"


def plan(seq: int, snapshot_id: str, pool: Sequence[str]) -> list[str]:
    """The ``ecsimg`` arguments of write ``seq`` (a DeleteImage names the image by name: the
    driver looks its ID up)."""
    slot = seq // STEPS
    image_id = pool[slot % len(pool)]
    step = seq % STEPS
    if step == 0:
        return ["api", "ModifyImageAttribute", "--ImageId", image_id, "--ImageName", f"r-{seq}"]
    if step == 1:
        verb = "--AddAccount.1" if (slot // len(pool)) % 2 == 0 else "--RemoveAccount.1"
        return ["api", "ModifyImageSharePermission", "--ImageId", image_id, verb, SHARE_UID]
    if step == 2:
        return ["api", "CreateImage", "--SnapshotId", snapshot_id,
                "--ImageName", created_name(seq)]
    return ["api", "DeleteImage", "--ImageName", created_name(seq - 1)]


def _call(argv: list[str]) -> tuple[int, str]:
    from ecsimg.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    return status, out.getvalue()


def _image_id_named(name: str) -> str:
    status, out = _call(["api", "DescribeImages", "--ImageOwnerAlias", "self",
                         "--ImageName", name, "--PageSize", "100"])
    if status != 0:
        raise SystemExit(f"DescribeImages failed with {status}")
    found: list[str] = [
        i["ImageId"] for i in json.loads(out)["Images"]["Image"] if i["ImageName"] == name]
    if len(found) != 1:
        raise SystemExit(f"expected one image named {name}, found {found}")
    return found[0]


def run(start: int, snapshot_id: str, pool: Sequence[str]) -> None:
    seq = start
    while True:
        argv = plan(seq, snapshot_id, pool)
        if argv[1] == "DeleteImage":
            argv = ["api", "DeleteImage", "--ImageId", _image_id_named(argv[-1])]
        status, _ = _call(argv)
        if status != 0:
            raise SystemExit(f"write {seq} ({' '.join(argv)}) exited {status}")
        print(f"ACK {seq}", flush=True)
        seq += 1


if __name__ == "__main__":
    run(int(sys.argv[1]), sys.argv[2], sys.argv[3:])
