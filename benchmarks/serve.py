"""Measure ``ecsimg serve`` against the spec's targets with concurrent signed clients.

Usage: python benchmarks/serve.py [--sizes 1000,10000,100000] [--clients 8] [--seconds 10] [--keep]
                                 [--json]

Each client is a thread holding one keep-alive connection and signing every request the
classic way (HMAC-SHA1), as aliyun-python-sdk-core does; a lean client, so that the clients
spend as little of the machine as possible and the figure is the server's.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import processes
from catalogues import (
    OUT_DIR,
    BenchmarkError,
    build_catalogue,
    catalogue_sizes,
    child_env,
    compile_package,
    ecsimg_argv,
)
from report import machine

READY_PREFIX = "ecsimg serve: listening on http://"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
READS_TARGET_PER_SECOND = 300.0
READS_P99_TARGET_SECONDS = 0.100
WRITES_TARGET_PER_SECOND = 50.0
DIRECTORY_ACCOUNTS = [f"60000000000000{n:02d}" for n in range(1, 100)]


def _progress(text: str) -> None:
    print(f"[bench serve] {text}", file=sys.stderr, flush=True)


def _pct(text: str) -> str:
    return quote(text, safe="~")


@dataclass(frozen=True)
class Signer:
    access_key_id: str
    secret: str

    def query(self, params: dict[str, str]) -> str:
        signed = {
            **params, "Version": "2014-05-26", "Format": "JSON", "AccessKeyId":
            self.access_key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        canonical = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(signed.items()))
        to_sign = f"GET&%2F&{_pct(canonical)}"
        digest = hmac.new((self.secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
        return canonical + "&Signature=" + _pct(base64.b64encode(digest).decode())


@dataclass
class Tally:
    """Latencies of the answered requests, and the failures by code."""

    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, code: str | None) -> None:
        with self.lock:
            if code is None:
                self.latencies.append(seconds)
            else:
                self.failures[code] = self.failures.get(code, 0) + 1


def _client(host: str, port: int, signer: Signer, next_params: Callable[[int], dict[str, str]],
            until: float, tally: Tally) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    number = 0
    while time.perf_counter() < until:
        number += 1
        path = "/?" + signer.query(next_params(number))
        started = time.perf_counter()
        connection.request("GET", path)
        reply = connection.getresponse()
        body = reply.read()
        elapsed = time.perf_counter() - started
        tally.add(elapsed, None if reply.status == 200 else
                  str(json.loads(body).get("Code", reply.status)))
    connection.close()


def _run_clients(host: str, port: int, signer: Signer, clients: int, seconds: float,
                 params_for: Callable[[int], Callable[[int], dict[str, str]]]) -> dict[str, Any]:
    tally = Tally()
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=_client, args=(host, port, signer, params_for(n), until,
                                                      tally)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies = sorted(tally.latencies)
    if not latencies:
        raise BenchmarkError(f"no request succeeded: {tally.failures}")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {"requests": len(latencies), "seconds": wall, "per_second": len(latencies) / wall,
            "p50_seconds": statistics.median(latencies), "p99_seconds": p99,
            "max_seconds": latencies[-1], "failures": tally.failures, "clients": clients}


def _start(db: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, int]:
    proc = subprocess.Popen([*ecsimg_argv(), "--db", str(db), "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    if not line.startswith(READY_PREFIX):
        proc.kill()
        raise BenchmarkError(f"serve did not start: {line!r}")
    host, _, port = line.removeprefix(READY_PREFIX).rpartition(":")
    return proc, host, int(port)


def _keys(db: Path, env: dict[str, str]) -> Signer:
    done = subprocess.run([*ecsimg_argv(), "--db", str(db), "profile", "keys", "default"],
                          capture_output=True, text=True, env=env, check=True)
    shown = json.loads(done.stdout)
    return Signer(shown["AccessKeyId"], shown["AccessKeySecret"])


def _shareable_images(host: str, port: int, signer: Signer, count: int) -> list[str]:
    """Images of the default profile that a share would succeed on (DryRun passes), after one
    write that brings the copy's indexes up to date."""
    connection = http.client.HTTPConnection(host, port, timeout=60)

    def call(params: dict[str, str]) -> dict[str, Any]:
        connection.request("GET", "/?" + signer.query(params))
        found: dict[str, Any] = json.loads(connection.getresponse().read())
        return found

    listed = call({"Action": "DescribeImages", "RegionId": "cn-hangzhou",
                   "ImageOwnerAlias": "self", "Status": "Available", "PageSize": "100"})
    shareable = [i["ImageId"] for i in listed["Images"]["Image"]
                 if call({"Action": "ModifyImageSharePermission", "RegionId": "cn-hangzhou",
                          "ImageId": i["ImageId"], "AddAccount.1": DIRECTORY_ACCOUNTS[-1],
                          "DryRun": "true"}).get("Code") == "DryRunOperation"]
    if shareable:
        # One write before the clock starts: the copy's files are new inodes, so every index
        # is stale until a commit rebuilds them, which the first write does (seconds at 100k).
        for verb in ("AddAccount.1", "RemoveAccount.1"):
            call({"Action": "ModifyImageSharePermission", "RegionId": "cn-hangzhou",
                  "ImageId": shareable[0], verb: DIRECTORY_ACCOUNTS[-1]})
    connection.close()
    if not shareable:
        raise BenchmarkError("the catalogue has no shareable image of the default profile")
    return [shareable[n % len(shareable)] for n in range(count)]


def measure(db: Path, env: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    signer = _keys(db, env)
    proc, host, port = _start(db, env)
    try:
        images = _shareable_images(host, port, signer, clients)
        _progress(f"  DescribeRegions (the server's own cost), {clients} clients, "
                  f"{seconds:.0f} s")
        light = _run_clients(host, port, signer, clients, seconds,
                             lambda n: lambda i: {"Action": "DescribeRegions"})
        _progress(f"  DescribeImages PageSize 10, {clients} clients, {seconds:.0f} s")
        reads = _run_clients(host, port, signer, clients, seconds, lambda n: lambda i: {
            "Action": "DescribeImages", "RegionId": "cn-hangzhou", "PageSize": "10",
            "PageNumber": str((n * 97 + i) % 50 + 1)})
        _progress(f"  ModifyImageSharePermission, {clients} clients, {seconds:.0f} s")

        def share(n: int) -> Callable[[int], dict[str, str]]:
            account = DIRECTORY_ACCOUNTS[n]
            verb = ("AddAccount.1", "RemoveAccount.1")
            return lambda i: {"Action": "ModifyImageSharePermission", "RegionId": "cn-hangzhou",
                              "ImageId": images[n], verb[i % 2]: account}

        writes = _run_clients(host, port, signer, clients, seconds, share)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"light": light, "reads": reads, "writes": writes}


def _measure_size(images: int, root: Path, scratch: Path, env: dict[str, str],
                  args: argparse.Namespace) -> dict[str, Any]:
    _progress(f"{images} images: catalogue")
    db, _ = build_catalogue(images, root, env, reuse=args.keep)
    # The writes change the catalogue: measure on a copy so a kept one stays as seeded.
    work = scratch / f"work-{images}"
    shutil.copytree(db, work, ignore=shutil.ignore_patterns(".lock"))
    try:
        floor = processes.median(processes.floor_seconds(work, env, images, 3))
        results = measure(work, env, args.clients, args.seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["floor_seconds"] = floor
    results["images"] = images
    for key in ("light", "reads", "writes"):
        results[key]["p50_floor_ratio"] = results[key]["p50_seconds"] / floor
    return results


def _print(images: int, results: dict[str, Any], args: argparse.Namespace) -> None:
    light, reads, writes = results["light"], results["reads"], results["writes"]
    floor = results["floor_seconds"]
    print(f"ecsimg serve at {images} images, {args.clients} clients, {args.seconds:.0f} s each")
    print(f"  DescribeRegions (server and signature alone): {light['per_second']:.1f} "
          f"requests/s, p50 {light['p50_seconds'] * 1000:.1f} ms, p99 "
          f"{light['p99_seconds'] * 1000:.1f} ms")
    print(f"  DescribeImages PageSize 10: {reads['per_second']:.1f} requests/s "
          f"(target {READS_TARGET_PER_SECOND:.0f}), p50 {reads['p50_seconds'] * 1000:.1f} "
          f"ms, p99 {reads['p99_seconds'] * 1000:.1f} ms (target < "
          f"{READS_P99_TARGET_SECONDS * 1000:.0f} ms); failures {reads['failures'] or 0}")
    print(f"  ModifyImageSharePermission: {writes['per_second']:.1f} committed writes/s "
          f"(target {WRITES_TARGET_PER_SECOND:.0f}), p50 "
          f"{writes['p50_seconds'] * 1000:.1f} ms, p99 {writes['p99_seconds'] * 1000:.1f} "
          f"ms; failures {writes['failures'] or 0}")
    print(f"  floor (json.load of {images} DescribeImages records, as run.py's): "
          f"{floor * 1000:.1f} ms; DescribeImages p50 = {reads['p50_floor_ratio']:.3f} "
          f"x floor, share p50 = {writes['p50_floor_ratio']:.3f} x floor")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/serve.py", description=__doc__)
    parser.add_argument("--sizes", type=catalogue_sizes, default=[1_000, 10_000, 100_000],
                        help="catalogue sizes, comma-separated (default: 1000,10000,100000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true",
                        help=f"build the catalogues in {OUT_DIR} and reuse them")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    host = machine()
    _progress(f"bytecode written for {compile_package()}")
    by_size: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ecsimg-bench-serve-") as scratch:
        env = {k: v for k, v in child_env(Path(scratch) / "home").items() if k not in PROXIES}
        root = OUT_DIR if args.keep else Path(scratch) / "catalogues"
        for images in args.sizes:
            by_size[str(images)] = _measure_size(images, root, Path(scratch), env, args)
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps({"machine": host, "load_average_end": list(os.getloadavg()),
                          "clients": args.clients, "seconds": args.seconds,
                          "results": by_size}, indent=2))
    else:
        for images in args.sizes:
            _print(images, by_size[str(images)], args)
        print(f"machine: {host['cpu']}, {host['cores']} cores, Python {host['python']}, "
              f"{host['os']}; load average {host['load_average'][0]:.2f} at the start")
    met = all(r["reads"]["per_second"] >= READS_TARGET_PER_SECOND
              and r["reads"]["p99_seconds"] < READS_P99_TARGET_SECONDS
              and r["writes"]["per_second"] >= WRITES_TARGET_PER_SECOND
              for r in by_size.values())
    _progress("targets met" if met else "targets NOT met")
    return 0


if __name__ == "__main__":
    os.environ.pop("ECSIMG_DB", None)
    sys.exit(main())
