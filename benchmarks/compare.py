"""Whole-process calls of two builds of ecsimg, run alternately on one catalogue.

Usage: python benchmarks/compare.py --before SRC [--rounds 6] DB

``SRC`` is the ``src`` folder of the other build (``git archive main src | tar -x -C DIR``);
it is put first on PYTHONPATH for the "before" runs. Taking the two in turn, in the same
minutes, is what makes them comparable on a shared machine; the CPU time of each process is
printed beside its wall time because it varies less with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from catalogues import compile_package, ecsimg_argv
from processes import RECIPIENT, own_image


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[-4:])}: exit {done.returncode}: "
                         f"{done.stderr.decode('utf-8', 'replace')[-300:]}")
    cpu = (after.children_user + after.children_system
           - before.children_user - before.children_system)
    return wall, cpu


def _calls(ecsimg: list[str], db: Path, image_id: str) -> dict[str, list[str]]:
    """The whole-process calls timed, on ``db``, sharing ``image_id``."""
    api = [*ecsimg, "--db", str(db), "api"]
    share = [*api, "ModifyImageSharePermission", "--ImageId", image_id]
    describe = [*api, "DescribeImages", "--RegionId", "cn-hangzhou", "--PageSize", "100"]
    return {
        "--version": [*ecsimg, "--version"],
        "DescribeRegions": [*api, "DescribeRegions"],
        "share add": [*share, "--AddAccount.1", RECIPIENT],
        "share remove": [*share, "--RemoveAccount.1", RECIPIENT],
        "DescribeImages 100": describe,
        "DescribeImages 100, page 3": [*describe, "--PageNumber", "3"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/compare.py", description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--before", type=Path, required=True, help="the other build's src")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--before-db", type=Path, default=None,
                        help="the catalogue the before build reads (default: DB), for a "
                             "build that reads an older schema: seed it the same way with "
                             "that build")
    args = parser.parse_args(argv)
    compile_package()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.before)], check=True)
    ecsimg = ecsimg_argv()
    builds = {"before": {**os.environ, "PYTHONPATH": str(args.before.resolve())},
              "after": dict(os.environ)}
    dbs = {"before": args.before_db or args.db, "after": args.db}
    calls = {build: _calls(ecsimg, dbs[build], own_image(dbs[build], builds[build]))
             for build in builds}
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {
        (build, call): [] for build in builds for call in calls["after"]}
    loads = []
    for n in range(args.rounds):
        order = list(builds) if n % 2 == 0 else list(reversed(builds))
        for build in order:
            for call, command in calls[build].items():
                samples[build, call].append(_timed(command, builds[build]))
        loads.append(os.getloadavg()[0])
    result = {"db": str(args.db), "before_db": str(dbs["before"]), "rounds": args.rounds,
              "load_average": [min(loads), max(loads)], "calls": {}}
    for call in calls["after"]:
        result["calls"][call] = {
            build: {"wall_median": statistics.median(w for w, _ in samples[build, call]),
                    "cpu_median": statistics.median(c for _, c in samples[build, call])}
            for build in builds}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
