"""``ecsimg --cloud NAME sync``: fill a real account's cache, with progress and a summary."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from ecsimg.cli.args import UsageError
from ecsimg.cli.globals import GlobalOptions
from ecsimg.cli.output import fail, print_line, write
from ecsimg.i18n import t

if TYPE_CHECKING:
    from ecsimg.cloud.sync import Progress

EXIT_OK, EXIT_FAILED = 0, 1
BAR_WIDTH = 30


def parse_sync_args(args: list[str]) -> tuple[list[str], int, bool]:
    """The regions (``--RegionId R``, repeatable), ``--workers N`` and ``--help``."""
    regions: list[str] = []
    workers = 8
    index = 0
    while index < len(args):
        token = args[index]
        name, has_value, value = token.partition("=")
        if token in ("-h", "--help"):
            return regions, workers, True
        if name not in ("--RegionId", "--workers"):
            raise UsageError(f"sync: unknown argument {token!r} (see `ecsimg sync --help`)")
        if not has_value:
            index += 1
            if index >= len(args):
                raise UsageError(f"sync: {name} needs a value")
            value = args[index]
        index += 1
        if name == "--RegionId":
            regions.extend(r for r in value.split(",") if r)
        elif not value.isdigit() or not 1 <= int(value) <= 32:
            raise UsageError(f"sync: --workers {value!r} is not a number from 1 to 32")
        else:
            workers = int(value)
    return regions, workers, False


SYNC_HELP = """usage: ecsimg --cloud NAME sync [--RegionId R ...] [--workers N]

Fill the cache of a real account: its regions, the images of every owner (self, others,
system, marketplace), the share permissions of its own images, its instances, disks,
snapshots and the instance types. Every listing is read to its end, N calls at once
(default 8). A region that fails is reported and the others are kept; the exit status is
then 1.

  --RegionId R   only this region (repeat, or give a comma-separated list)
  --workers N    calls at once, 1 to 32"""


def sync(options: GlobalOptions, args: list[str]) -> int:
    """``ecsimg --cloud NAME sync``: a progress bar on a terminal, a summary line at the end."""
    regions, workers, wants_help = parse_sync_args(args)
    if wants_help:
        print_line(SYNC_HELP)
        return EXIT_OK
    from ecsimg.bootstrap import cloud_requested
    from ecsimg.cli.commands import open_backend

    if cloud_requested(options.cloud) is None:
        raise UsageError("sync needs a real account: ecsimg --cloud NAME sync "
                         "(NAME is an aliyun CLI profile, or env)")
    backend: Any = open_backend(options)
    bar = _Bar() if sys.stderr.isatty() else None
    started = time.monotonic()
    result, counts = backend.sync(regions, workers=workers,
                                  progress=bar.show if bar is not None else None)
    if bar is not None:
        bar.close()
    seconds = time.monotonic() - started
    for failure in result.failures.values():
        fail(t("cli.sync_failed", failure=failure))
    synced = len(result.regions)
    session = backend.session
    print_line(t("cli.synced", regions=t("cli.region" if synced == 1 else "cli.regions",
                                         count=synced),
                 account=session.account_id, location=session.location, seconds=seconds,
                 calls=result.calls, images=counts["images"], instances=counts["instances"],
                 disks=counts["disks"], snapshots=counts["snapshots"],
                 types=counts["instance_types"])
               + (t("cli.regions_failed", count=len(result.failures)) if result.failures
                  else ""))
    return EXIT_FAILED if result.failures else EXIT_OK


class _Bar:
    """A one-line progress bar on stderr, redrawn in place (plain text)."""

    def __init__(self) -> None:
        self.last = 0.0

    def show(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        known = max(progress.listings_known, 1)
        filled = int(BAR_WIDTH * min(progress.listings_done / known, 1.0))
        text = (f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress.listings_done}/"
                f"{known} listings, {progress.calls} calls, {progress.region_id or 'account'} "
                f"{progress.kind[:24]:<24}")
        write(sys.stderr, text)

    def close(self) -> None:
        write(sys.stderr, "\r" + " " * (BAR_WIDTH + 70) + "\r")
