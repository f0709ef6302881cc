"""Measure ecsimg against the spec's performance targets on seeded catalogues.

Usage: python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat N] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import processes
from catalogues import (
    OUT_DIR,
    BenchmarkError,
    build_catalogue,
    catalogue_sizes,
    child_env,
    compile_package,
)
from report import MEASUREMENTS, TARGET_SIZE, machine, notes, table, verdict
from terminal_runs import TerminalRun, describe_images_seconds, run_tui

DEFAULT_SIZES = (1_000, 10_000, 100_000)
LOAD_MEGABYTES = 200
IN_PROCESS_SCRIPT = Path(__file__).resolve().parent / "in_process.py"
IN_PROCESS_TIMEOUT = 900.0
Result = dict[str, Any]
"""One measurement: value (None on error), unit, samples, detail, error."""


@dataclass(frozen=True)
class Counts:
    """How many times each measurement is repeated."""

    starts: int = 3
    api_calls: int = 5
    cursor_moves: int = 10
    keystrokes: int = 20
    share_calls: int = 50

    @classmethod
    def from_repeat(cls, repeat: int | None) -> Counts:
        """``--repeat N`` sets the process-level counts; keystrokes and share calls keep their
        minimum of 20 and 50 so their medians stay meaningful."""
        if repeat is None:
            return cls()
        return cls(starts=repeat, api_calls=repeat, cursor_moves=repeat,
                   keystrokes=max(repeat, 20), share_calls=max(repeat, 50))


def _progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _failed(error: BaseException) -> Result:
    return {"value": None, "error": str(error) or type(error).__name__}


def _guarded(what: str, measure: Callable[[], Result]) -> Result:
    """Run one measurement; an error becomes the result's error instead of ending the run."""
    try:
        return measure()
    except (BenchmarkError, OSError, KeyError, ValueError, subprocess.SubprocessError) as err:
        _progress(f"  {what} failed: {err}")
        return _failed(err)


def _terminal_results(db: Path, env: dict[str, str], counts: Counts) -> dict[str, Result]:
    """Start-up, memory and cursor-move output from ``counts.starts`` sessions in a pty.

    The first session starts without the projections the catalogue keeps for the list
    (``.cache``, see ``store/projections``), as the first start after seeding does; the
    others with them. Figures are medians of the others, the first one's given apart."""
    runs: list[TerminalRun] = []
    shutil.rmtree(db / ".cache", ignore_errors=True)
    try:
        for index in range(counts.starts):
            last = index == counts.starts - 1
            runs.append(run_tui(db, env, moves=counts.cursor_moves if last else 0))
            _progress(f"  start {index + 1}/{counts.starts}: {runs[-1].start_seconds:.3f} s")
    except (BenchmarkError, OSError, KeyError) as err:
        _progress(f"  TUI run failed: {err}")
        if not runs:
            return {key: _failed(err) for key in ("start", "memory", "move_bytes")}
        failure = _failed(err)
        return {"start": _summary([r.start_seconds for r in runs], "s"),
                "memory": failure, "move_bytes": failure}
    cold = runs[0]
    if len(runs) > 1:
        runs = runs[1:]
    starts = [r.start_seconds for r in runs]
    peaks = [r.hwm_kib * 1024 for r in runs]
    steady = [r.rss_kib * 1024 for r in runs]
    moves = runs[-1].move_bytes
    memory = _summary(peaks, "bytes")
    memory["steady_rss_bytes"] = statistics.median(steady)
    settled = statistics.median(r.settled_seconds for r in runs)
    memory["loading_settled_seconds"] = settled
    memory["whole_list_seconds"] = [r.whole_seconds for r in runs]
    memory["detail"] = (f"median over {len(runs)} sessions once idle ({settled:.1f} s after "
                        f"spawn): peak (VmHWM) {statistics.median(peaks) / 1e6:.1f} MB, "
                        f"steady (VmRSS) {statistics.median(steady) / 1e6:.1f} MB")
    move_bytes = _summary([float(b) for b in moves], "bytes")
    move_bytes["idle_bytes_per_second"] = runs[-1].idle_bytes_per_second
    move_bytes["detail"] = (f"{len(moves)} moves ('j'), min {min(moves)} B, max {max(moves)} B; "
                            f"{runs[-1].idle_bytes_per_second:.0f} B written in 1 s idle before")
    first = {"value": cold.whole_seconds, "unit": "s",
             "start_seconds": cold.start_seconds, "idle_seconds": cold.settled_seconds,
             "peak_bytes": cold.hwm_kib * 1024,
             "detail": (f"the first session, without kept projections: first rows after "
                        f"{cold.start_seconds:.2f} s, whole list after "
                        f"{cold.whole_seconds:.2f} s, idle after {cold.settled_seconds:.2f} s, "
                        f"peak {cold.hwm_kib * 1024 / 1e6:.0f} MB")}
    return {"start": _summary(starts, "s"), "memory": memory, "move_bytes": move_bytes,
            "whole_list_cold": first}


def _summary(samples: Sequence[float], unit: str) -> Result:
    return {"value": statistics.median(samples), "unit": unit, "samples": list(samples),
            "detail": f"{len(samples)} runs, min {min(samples):.4g}, max {max(samples):.4g} {unit}"}


def _in_process(what: str, db: Path, count: int, env: dict[str, str]) -> dict[str, Any]:
    """Run in_process.py in a child interpreter (killed on timeout) and return its JSON."""
    argv = [sys.executable, str(IN_PROCESS_SCRIPT), what, "--db", str(db), "--count", str(count)]
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=IN_PROCESS_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"{what} took over {IN_PROCESS_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BenchmarkError(f"{what} failed (exit {done.returncode}): "
                             f"{lines[-1] if lines else 'no output'}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _filter_result(db: Path, env: dict[str, str], counts: Counts) -> Result:
    found = _in_process("filter", db, counts.keystrokes, env)
    return {"value": found["median_seconds"], "unit": "s", **found,
            "detail": (f"{found['keystrokes']} keystrokes, key to frame drawn: max "
                       f"{found['max_seconds'] * 1000:.1f} ms; key to rows set (filter alone): "
                       f"median {found['median_to_rows_seconds'] * 1000:.1f} ms; "
                       f"{found['rows']} rows in the profile's region, "
                       f"{found['shown_min']}-{found['shown_max']} shown")}


def _filter_max_result(found: Result) -> Result:
    if found.get("value") is None:
        return dict(found)
    return {"value": found["max_seconds"], "unit": "s",
            "detail": f"slowest of {found['keystrokes']} keystrokes, key to frame drawn"}


def _load_result(db: Path, env: dict[str, str], scratch: Path) -> Result:
    found = processes.load_peak(db, env, scratch, LOAD_MEGABYTES)
    summary = (f"ecsimg load of a {found['megabytes']} MB DescribeImages file "
               f"({found['images']} images): exit {found['exit']} after "
               f"{found['seconds']:.1f} s, peak {found['peak_bytes'] / 1e6:.0f} MB; "
               f"{found['message']}")
    if found["exit"] != 0:
        return {"value": None, "error": summary, **found}
    return {"value": found["peak_bytes"], "unit": "bytes", **found, "detail": summary}


def _with_ratios(results: dict[str, Result]) -> None:
    """Each timed figure also as a ratio to the floor measured in the same run."""
    floor = results.get("floor", {}).get("value")
    if not floor:
        return
    for key in ("start", "whole_list", "filter", "filter_max", "share", "api"):
        found = results.get(key, {})
        if found.get("value") is not None and "floor_ratio" not in found:
            found["floor_ratio"] = found["value"] / floor
            found["detail"] = f"{found.get('detail', '')}; {found['floor_ratio']:.3f} x floor"


def _share_result(db: Path, env: dict[str, str], counts: Counts) -> Result:
    found = _in_process("share", db, counts.share_calls, env)
    return {"value": found["median_seconds"], "unit": "s", **found,
            "detail": (f"{found['calls']} calls on {found['image_id']} ({found['first']} "
                       f"first, then alternating), max {found['max_seconds'] * 1000:.1f} ms")}


def _process_results(db: Path, env: dict[str, str], images: int,
                     counts: Counts) -> dict[str, Result]:
    """Whole-process share and DescribeImages, as ratios to ``--version`` and the floor."""
    version = processes.median(processes.version_seconds(env, counts.api_calls))
    floor = processes.median(processes.floor_seconds(db, env, images, 3))
    api = [describe_images_seconds(db, env) for _ in range(counts.api_calls)]
    shares, image_id = processes.share_seconds(db, env, max(counts.api_calls, 6))
    share = processes.median(shares)
    api_median = processes.median(api)
    results = {
        "floor": {"value": floor, "unit": "s", "detail": f"json.load of {images} "
                  f"DescribeImages-shaped records: {floor * 1000:.0f} ms; ecsimg --version: "
                  f"{version * 1000:.0f} ms"},
        "api": {**_summary(api, "s"), "floor_ratio": api_median / floor},
        "share_process": {
            "value": share - version, "unit": "s", "samples": shares, "version": version,
            "floor_ratio": share / floor,
            "detail": (f"{len(shares)} processes on {image_id} (add, remove, ...): median "
                       f"{share * 1000:.0f} ms = --version + {(share - version) * 1000:.0f} ms; "
                       f"{share / floor:.2f} x floor")},
    }
    results["api"]["detail"] += f"; {api_median / floor:.2f} x floor"
    return results


def measure(db: Path, env: dict[str, str], counts: Counts, images: int,
            scratch: Path) -> dict[str, Result]:
    """Every measurement on one catalogue; the mutating ones (share) run last."""
    _progress("  ecsimg in a pty: start-up, memory, cursor moves")
    results = _terminal_results(db, env, counts)
    settled = results["memory"].get("loading_settled_seconds")
    wholes = results["memory"].get("whole_list_seconds")
    if wholes and settled is not None:
        whole = _summary(wholes, "s")
        whole["idle_seconds"] = settled
        whole["detail"] = (f"spawn to the header's exact counts, the last rows shown "
                           f"({whole['detail']}); idle (details, the filter's masks) after "
                           f"{settled:.2f} s, median")
        results["whole_list"] = whole
    else:
        results["whole_list"] = _failed(BenchmarkError("no session"))
    _progress("  whole processes: --version, floor, DescribeImages, share")
    try:
        results.update(_process_results(db, env, images, counts))
    except (BenchmarkError, OSError, KeyError, ValueError, subprocess.SubprocessError) as err:
        _progress(f"  whole processes failed: {err}")
        results.update({key: _failed(err) for key in ("floor", "api", "share_process")})
    _progress("  filter keystrokes (headless app)")
    results["filter"] = _guarded("filter", lambda: _filter_result(db, env, counts))
    results["filter_max"] = _filter_max_result(results["filter"])
    _progress("  share and unshare")
    results["share"] = _guarded("share", lambda: _share_result(db, env, counts))
    _progress(f"  ecsimg load of a {LOAD_MEGABYTES} MB file (into a copy)")
    results["load_memory"] = _guarded("load", lambda: _load_result(db, env, scratch))
    _with_ratios(results)
    return results


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py", description="Measure ecsimg against the spec's targets.")
    parser.add_argument("--sizes", type=catalogue_sizes, default=list(DEFAULT_SIZES),
                        help="catalogue sizes, comma-separated (default: 1000,10000,100000)")
    parser.add_argument("--repeat", type=_positive, default=None,
                        help="runs of start-up and DescribeImages, and cursor moves "
                             "(default 3, 5 and 10; keystrokes and share calls stay >= 20, 50)")
    parser.add_argument("--keep", action="store_true",
                        help=f"build catalogues in {OUT_DIR} and reuse the ones already there")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    counts = Counts.from_repeat(args.repeat)
    host = machine()
    results: dict[int, dict[str, Result]] = {}
    seeding: dict[int, float | None] = {}
    _progress(f"bytecode written for {compile_package()}")
    with tempfile.TemporaryDirectory(prefix="ecsimg-bench-") as scratch:
        env = child_env(Path(scratch) / "home")
        root = OUT_DIR if args.keep else Path(scratch) / "catalogues"
        for images in args.sizes:
            _progress(f"{images} images: catalogue")
            try:
                db, seeding[images] = build_catalogue(images, root, env, reuse=args.keep)
            except (BenchmarkError, OSError) as err:
                _progress(f"  {err}")
                results[images] = {m.key: _failed(err) for m in MEASUREMENTS}
                continue
            seeded = seeding[images]
            _progress(f"  {db} ({'reused' if seeded is None else f'seeded in {seeded:.1f} s'})")
            results[images] = measure(db, env, counts, images, Path(scratch))
            if not args.keep:
                shutil.rmtree(db, ignore_errors=True)
    if args.json:
        print(json.dumps(_as_json(args.sizes, results, seeding, host, counts), indent=2))
    else:
        print(table(args.sizes, results, host))
        for line in notes(args.sizes, results):
            print(f"  {line}")
    errors = any(r.get("error") for by_key in results.values() for r in by_key.values())
    return 1 if errors else 0


def _as_json(sizes: list[int], results: dict[int, dict[str, Result]],
             seeding: dict[int, float | None], host: dict[str, Any],
             counts: Counts) -> dict[str, Any]:
    return {
        "machine": host,
        "load_average_end": list(os.getloadavg()),
        "counts": dataclasses.asdict(counts),
        "sizes": sizes,
        "seed_seconds": {str(n): seeding.get(n) for n in sizes},
        "targets": {m.key: {"title": m.title, "below": m.limit, "unit": m.unit,
                            f"at_{TARGET_SIZE}": verdict(results, m)} for m in MEASUREMENTS},
        "results": {str(n): results.get(n, {}) for n in sizes},
    }


if __name__ == "__main__":
    sys.exit(main())
