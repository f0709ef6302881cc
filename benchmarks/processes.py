"""Whole-process figures: what a script pays per ``ecsimg`` command, and the floors beside them.

Each command runs as its own process, as a script runs it; ``ecsimg --version`` is the cost of
starting Python and ecsimg at all, and the floor is a plain ``json.load`` of as many
DescribeImages-shaped records as the catalogue holds, measured in the same run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
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
    """An image of the default profile that it may share."""
    _, out = _run([*ecsimg_argv(), "--db", str(db), "api", "DescribeImages",
                   "--ImageOwnerAlias", "self", "--PageSize", "1"], env)
    images = json.loads(out)["Images"]["Image"]
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


def floor_seconds(db: Path, env: dict[str, str], images: int, runs: int) -> list[float]:
    """``json.load`` of ``images`` DescribeImages-shaped records (one real page, repeated)."""
    _, out = _run([*ecsimg_argv(), "--db", str(db), "api", "DescribeImages", "--PageSize",
                   "100", "--Status", "ALL"], env)
    page: list[dict[str, Any]] = json.loads(out)["Images"]["Image"]
    if not page:
        raise BenchmarkError("DescribeImages returned no image to shape the floor on")
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


def median(samples: list[float]) -> float:
    return float(statistics.median(samples))
