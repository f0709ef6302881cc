"""Whole-process figures: what a script pays per ``ecsimg`` command, and the floors beside them.

Each command runs as its own process, as a script runs it; ``ecsimg --version`` is the cost of
starting Python and ecsimg at all, and the floor is a plain ``json.load`` of as many
DescribeImages-shaped records as the catalogue holds, measured in the same run.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from catalogues import BenchmarkError, ecsimg_argv

TIMEOUT_SECONDS = 300.0
RECIPIENT = "6000000000000042"
"""An account of the seeded catalogues' directory that images are shared with."""


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, env=env, capture_output=True, timeout=TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"{' '.join(argv[-3:])} took over {TIMEOUT_SECONDS:.0f} s") from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise BenchmarkError(f"{' '.join(argv[-3:])} failed (exit {done.returncode}): {message}")
    return elapsed, done.stdout


def version_seconds(env: dict[str, str], runs: int) -> list[float]:
    return [_run([*ecsimg_argv(), "--version"], env)[0] for _ in range(runs)]


def own_image(db: Path, env: dict[str, str]) -> str:
    """An image of the default profile that it may share (not a community image, which
    cannot be shared with accounts)."""
    _, out = _run([*ecsimg_argv(), "--db", str(db), "api", "DescribeImages",
                   "--ImageOwnerAlias", "self", "--PageSize", "100"], env)
    images = [image for image in json.loads(out)["Images"]["Image"] if not image["IsPublic"]]
    if not images:
        raise BenchmarkError("the catalogue has no image of the default profile to share")
    return str(images[0]["ImageId"])


def share_seconds(db: Path, env: dict[str, str], runs: int) -> tuple[list[float], str]:
    """Whole-process ModifyImageSharePermission calls, adding and removing one account."""
    image_id = own_image(db, env)
    samples = []
    for n in range(runs):
        change = "AddAccount.1" if n % 2 == 0 else "RemoveAccount.1"
        samples.append(_run([*ecsimg_argv(), "--db", str(db), "api",
                             "ModifyImageSharePermission", "--ImageId", image_id,
                             f"--{change}", RECIPIENT], env)[0])
    if runs % 2:
        _run([*ecsimg_argv(), "--db", str(db), "api", "ModifyImageSharePermission",
              "--ImageId", image_id, "--RemoveAccount.1", RECIPIENT], env)
    return samples, image_id


def real_page(db: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    """One page of 100 DescribeImages records of the catalogue, whatever their status."""
    _, out = _run([*ecsimg_argv(), "--db", str(db), "api", "DescribeImages", "--PageSize",
                   "100", "--Status", "ALL"], env)
    page: list[dict[str, Any]] = json.loads(out)["Images"]["Image"]
    if not page:
        raise BenchmarkError("DescribeImages returned no image to shape the floor on")
    return page


def floor_seconds(db: Path, env: dict[str, str], images: int, runs: int) -> list[float]:
    """``json.load`` of ``images`` DescribeImages-shaped records (one real page, repeated).

    The one floor of every benchmark (run.py and serve.py): the machine's pace at reading
    as many records as the catalogue holds, measured in the same run as the figures.
    """
    page = real_page(db, env)
    records = [{**page[n % len(page)], "ImageId": f"m-floor{n:014d}"} for n in range(images)]
    samples = []
    with tempfile.TemporaryDirectory(prefix="ecsimg-floor-") as scratch:
        path = Path(scratch) / "floor.json"
        path.write_text(json.dumps({"Images": {"Image": records}}), encoding="utf-8")
        del records
        for _ in range(runs):
            started = time.perf_counter()
            with path.open(encoding="utf-8") as handle:
                json.load(handle)
            samples.append(time.perf_counter() - started)
    return samples


PEAK_WRAPPER = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
tail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()[-1:]
print(peak, done.returncode, *tail, sep="\\t")
"""
"""Runs a command as its only child, so the peak resident memory it reports is that one's."""


def write_load_file(path: Path, page: list[dict[str, Any]], megabytes: int) -> int:
    """A saved DescribeImages response of about ``megabytes`` MB (the page's records with new
    ids, written record by record); how many images it holds."""
    target = megabytes * 1_000_000
    written = count = 0
    with path.open("w", encoding="utf-8") as out:
        written += out.write('{"RequestId": "BENCH", "RegionId": "cn-hangzhou", "TotalCount": 0, '
                             '"Images": {"Image": [')
        while written < target:
            # Community images of an account outside the catalogue: what load accepts.
            record = {**page[count % len(page)], "ImageId": f"m-load{count:014d}",
                      "ImageName": f"loaded-{count}", "ImageOwnerAlias": "others",
                      "ImageOwnerId": 5999999999999999, "IsPublic": True}
            written += out.write(("," if count else "") + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("]}}")
    return count


def load_peak(db: Path, env: dict[str, str], scratch: Path, megabytes: int) -> dict[str, Any]:
    """``ecsimg load`` of a ``megabytes`` MB file into a copy of ``db``: peak resident memory
    of the process, its wall time and exit status."""
    page = real_page(db, env)
    work = scratch / "load-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(db, work, ignore=shutil.ignore_patterns(".lock"))
    path = scratch / "load.json"
    images = write_load_file(path, page, megabytes)
    try:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, *ecsimg_argv(), "--db",
                               str(work), "load", str(path)], env=env, capture_output=True,
                              text=True, timeout=TIMEOUT_SECONDS * 4, check=False)
        elapsed = time.perf_counter() - started
    finally:
        path.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    fields = done.stdout.strip().split("\t")
    if done.returncode != 0 or len(fields) < 2:
        raise BenchmarkError(f"the load wrapper failed: {done.stderr.strip()[-300:]}")
    return {"peak_bytes": int(fields[0]), "exit": int(fields[1]), "seconds": elapsed,
            "images": images, "megabytes": megabytes,
            "message": fields[2] if len(fields) > 2 else ""}


def median(samples: list[float]) -> float:
    return float(statistics.median(samples))
