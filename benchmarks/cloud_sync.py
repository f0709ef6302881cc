"""Measure ``ecsimg --cloud NAME sync`` of a 10,000-image account served by ``ecsimg serve``.

Usage: python benchmarks/cloud_sync.py [--images 10000] [--workers 8] [--keep] [--json]

The account is a seeded catalogue served on 127.0.0.1; a temporary HOME holds an aliyun CLI
config.json with the keys ``ecsimg profile keys default`` printed. The command is timed as
the operator runs it (process start included); a second sync, in this process, is run in two
halves one after the other, to tell where the time goes: reading every page (the server and
the SDK) and writing the cache (the command overlaps parsing with reading).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from catalogues import OUT_DIR, BenchmarkError, build_catalogue, child_env, ecsimg_argv
from report import machine

READY_PREFIX = "ecsimg serve: listening on http://"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
TARGET_SECONDS = 10.0


def _progress(text: str) -> None:
    print(f"[bench cloud sync] {text}", file=sys.stderr, flush=True)


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    if done.returncode != 0:
        raise BenchmarkError(f"{' '.join(argv[-3:])} failed: {done.stderr.strip()[:300]}")
    return done


def _serve(db: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("wb") as err:
        proc = subprocess.Popen([*ecsimg_argv(), "--db", str(db), "serve", "--port", "0"],
                                stdout=subprocess.PIPE, stderr=err, env=env)
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    line = b""
    deadline = time.monotonic() + 60
    while not line.endswith(b"\n") and selector.select(max(0.0, deadline - time.monotonic())):
        chunk = os.read(proc.stdout.fileno(), 1)
        if not chunk:
            break
        line += chunk
    text = line.decode().strip()
    if not text.startswith(READY_PREFIX):
        proc.kill()
        raise BenchmarkError(f"serve did not start: {log.read_text()[:300]}")
    return proc, text.removeprefix("ecsimg serve: listening on ")


def _config(home: Path, keys: dict[str, str]) -> None:
    folder = home / ".aliyun"
    folder.mkdir(parents=True, exist_ok=True)
    document = {"current": "default", "meta_path": "", "profiles": [{
        "name": "default", "mode": "AK", "access_key_id": keys["AccessKeyId"],
        "access_key_secret": keys["AccessKeySecret"], "region_id": "cn-hangzhou",
        "output_format": "json", "language": "en"}]}
    (folder / "config.json").write_text(json.dumps(document, indent="\t"))
    (folder / "config.json").chmod(0o600)


def _split(url: str, workers: int) -> dict[str, float]:
    """A second sync in this process: seconds reading pages, seconds writing the cache."""
    from ecsimg.cloud import cache
    from ecsimg.cloud.backend import open_cloud
    from ecsimg.cloud.sync import run_sync

    backend = open_cloud("default", url)
    started = time.perf_counter()
    result = run_sync(backend._invoke, workers=workers)
    read = time.perf_counter() - started
    started = time.perf_counter()
    counts = cache.store_sync(backend.ctx, result)
    write = time.perf_counter() - started
    return {"read_seconds": read, "write_seconds": write, "calls": result.calls,
            "cached_images": counts["images"]}


def measure(images: int, workers: int, keep: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ecsimg-bench-cloud-") as scratch:
        env = {k: v for k, v in child_env(Path(scratch) / "home").items() if k not in PROXIES}
        root = OUT_DIR if keep else Path(scratch) / "catalogues"
        _progress(f"{images} images: catalogue")
        seeded, _ = build_catalogue(images, root, env, reuse=keep)
        db = Path(scratch) / "served"
        shutil.copytree(seeded, db, ignore=shutil.ignore_patterns(".lock"))
        keys = json.loads(_run([*ecsimg_argv(), "--db", str(db), "profile", "keys", "default"],
                               env).stdout)
        home = Path(scratch) / "operator"
        _config(home, keys)
        proc, url = _serve(db, env, Path(scratch) / "serve.err")
        try:
            cloud_env = {**env, "HOME": str(home)}
            _progress(f"sync from {url}")
            started = time.perf_counter()
            done = _run([*ecsimg_argv(), "--cloud", "default", "--endpoint", url, "sync",
                         "--workers", str(workers)], cloud_env)
            seconds = time.perf_counter() - started
            _progress("second sync, split into reading and writing")
            saved = {k: os.environ.get(k) for k in ("HOME", "XDG_DATA_HOME")}
            os.environ.update(HOME=str(home), XDG_DATA_HOME=cloud_env["XDG_DATA_HOME"])
            try:
                split = _split(url, workers)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    return {"images": images, "workers": workers, "seconds": seconds,
            "summary": done.stdout.strip(), **split}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/cloud_sync.py", description=__doc__)
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--keep", action="store_true",
                        help=f"build the catalogue in {OUT_DIR} and reuse it")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    for name in PROXIES:
        os.environ.pop(name, None)
    results = measure(args.images, args.workers, args.keep)
    results["machine"] = machine()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        host = results["machine"]
        print(f"ecsimg --cloud default sync of a served catalogue of {args.images} images, "
              f"{args.workers} calls at once")
        print(f"  command, start to end: {results['seconds']:.2f} s (target "
              f"< {TARGET_SECONDS:.0f} s)")
        print(f"  {results['summary']}")
        print(f"  split, one half after the other: reading {results['calls']} pages "
              f"{results['read_seconds']:.2f} s "
              f"({results['read_seconds'] / max(results['calls'], 1) * 1000 * args.workers:.0f}"
              f" ms a page per worker), writing {results['cached_images']} images to the cache "
              f"{results['write_seconds']:.2f} s")
        print(f"machine: {host['cpu']}, {host['cores']} cores, Python {host['python']}, "
              f"{host['os']}")
    _progress("target met" if results["seconds"] < TARGET_SECONDS else "target NOT met")
    return 0


if __name__ == "__main__":
    os.environ.pop("ECSIMG_DB", None)
    try:
        sys.exit(main())
    except BenchmarkError as err:
        print(f"benchmarks/cloud_sync.py: {err}", file=sys.stderr)
        sys.exit(1)
