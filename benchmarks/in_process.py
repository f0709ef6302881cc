"""Measurements inside one process: a filter keystroke in the headless app, share calls.

Run as a child of run.py (``python in_process.py filter|share --db PATH --count N``) so that a
hang can be killed and each catalogue's memory goes away with its process; prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecsimg.service.machinery.context import Context

FILTER_TERMS = ("web-", "os:ubuntu", "arch:arm64", "prod")
"""Typed one key at a time into the filter, then erased one key at a time."""
LOAD_TIMEOUT = 300.0
FRAME_TIMEOUT = 10.0
SHARE_REGION = "cn-hangzhou"
SHARE_PROFILE = "default"
DIRECTORY_ACCOUNTS = [str(6000000000000000 + n) for n in range(1, 101)]


def filter_keys(count: int) -> list[str]:
    """At least ``count`` keys: each term typed then erased, repeated as needed."""
    keys: list[str] = []
    terms = itertools.cycle(FILTER_TERMS)
    while len(keys) < count:
        term = next(terms)
        keys.extend(term)
        keys.extend(["backspace"] * len(term))
    return keys


async def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what} took over {timeout:.0f} s")
        await asyncio.sleep(0.005)


async def measure_filter(db: Path, count: int, every_region: bool = False) -> dict[str, Any]:
    """Per keystroke: seconds from the key press to the rows set, and to the frame showing them;
    ``every_region``: in the list of every region's images (key ``A``)."""
    from textual.strip import Strip
    from textual.widgets import Input

    from ecsimg.bootstrap import make_context, open_repository
    from ecsimg.config import Settings
    from ecsimg.service.simulator import SimulatorBackend
    from ecsimg.ui.app import make_app
    from ecsimg.ui.screens.main import MainScreen
    from ecsimg.ui.widgets.image_list import ImageList

    repo = open_repository(str(db))
    if repo.is_empty():
        raise SystemExit(f"{db} holds no catalogue")
    app = make_app(SimulatorBackend(make_context(repo)), Settings())
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(lambda: isinstance(app.screen, MainScreen), 30, "showing the main screen")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        image_list = screen.query_one(ImageList)
        # A large catalogue may show its first rows before the rest: wait for the last read.
        await _wait(lambda: screen.loaded is not None and bool(image_list.rows)
                    and not any(w.group == "rows" and not w.is_finished for w in app.workers),
                    LOAD_TIMEOUT, "loading the rows")
        await pilot.pause()
        await pilot.pause()
        if every_region:
            await pilot.press("A")
            await pilot.pause()
            await _wait(lambda: screen.loaded is not None and screen.loaded.every_region
                        and bool(image_list.rows)
                        and not any(w.group == "rows" and not w.is_finished
                                    for w in app.workers),
                        LOAD_TIMEOUT, "loading every region's rows")
            await pilot.pause()
            await pilot.pause()
        loaded_seconds = time.perf_counter() - started
        total_rows = len(image_list.rows)
        await pilot.press("slash")
        await pilot.pause()
        if not isinstance(app.focused, Input):
            raise SystemExit("'/' did not focus the filter")

        # Wrappers on these instances only: when the list gets its rows, when it paints a line,
        # and when the screen finishes a frame (the headless driver then skips the write).
        rows_set_at: list[float] = []
        painted_at: list[float] = []
        frames_at: list[float] = []
        set_rows = image_list.set_rows
        render_line = image_list.render_line
        compositor_refresh = screen._compositor_refresh

        def timed_set_rows(*args: Any, **kwargs: Any) -> None:
            set_rows(*args, **kwargs)
            rows_set_at.append(time.perf_counter())

        def timed_render_line(y: int) -> Strip:
            painted_at.append(time.perf_counter())
            return render_line(y)

        def timed_compositor_refresh() -> None:
            compositor_refresh()
            frames_at.append(time.perf_counter())

        # A keystroke that leaves a bad term (``os:`` before its value) sets no rows: the list
        # keeps the last good result and the filter line is marked bad; the frame that shows
        # that counts. When the screen shows it already (the line was bad before, and the
        # typed character was drawn before the filter ran), nothing is left to draw and the
        # keystroke is done when the filter ran; the error line that appears once the typing
        # pauses (ui/widgets/filter_error.py) is not the keystroke's frame.
        filtered_at: list[float] = []
        drawn_already: list[bool] = []
        set_filter = screen.set_filter

        def timed_set_filter(line: str) -> None:
            set_filter(line)
            filtered_at.append(time.perf_counter())
            drawn_already.append(not (screen._dirty_widgets or screen._layout_required
                                      or screen._repaint_required))

        screen.set_filter = timed_set_filter  # type: ignore[method-assign]
        image_list.set_rows = timed_set_rows  # type: ignore[method-assign]
        image_list.render_line = timed_render_line  # type: ignore[method-assign]
        screen._compositor_refresh = timed_compositor_refresh  # type: ignore[method-assign]

        def list_frame_after(rows_set: float) -> float | None:
            """The end of the first frame in which the list painted after getting its rows."""
            painted = next((t for t in painted_at if t >= rows_set), None)
            if painted is None:
                return None
            return next((t for t in frames_at if t >= painted), None)

        to_rows: list[float] = []
        to_frame: list[float] = []
        shown: list[int] = []
        def frame_after(done: float, rows_set: bool) -> float | None:
            if rows_set:
                return list_frame_after(done)
            if drawn_already and drawn_already[0]:
                return done
            return next((t for t in frames_at if t >= done), None)

        kept = 0
        typed = ""
        lines: list[str] = []
        for key in filter_keys(count):
            typed = typed[:-1] if key == "backspace" else typed + key
            lines.append(typed)
            rows_set_at.clear()
            painted_at.clear()
            frames_at.clear()
            filtered_at.clear()
            drawn_already.clear()
            pressed = time.perf_counter()
            await pilot.press(key)
            await _wait(lambda: bool(filtered_at), FRAME_TIMEOUT, f"filtering after {key!r}")
            got_rows = bool(rows_set_at)
            kept += not got_rows
            rows_set = rows_set_at[0] if got_rows else filtered_at[0]
            drawn = functools.partial(frame_after, rows_set, got_rows)
            await _wait(lambda: drawn() is not None, FRAME_TIMEOUT,  # noqa: B023 (awaited here)
                        f"drawing the list after {key!r}")
            frame_done = frame_after(rows_set, got_rows)
            assert frame_done is not None
            to_rows.append(rows_set - pressed)
            to_frame.append(frame_done - pressed)
            shown.append(len(image_list.rows))
            await pilot.pause()
    return {
        "keystrokes": len(to_frame),
        "median_seconds": statistics.median(to_frame),
        "max_seconds": max(to_frame),
        "median_to_rows_seconds": statistics.median(to_rows),
        "load_seconds": loaded_seconds,
        "rows": total_rows,
        "shown_min": min(shown),
        "shown_max": max(shown),
        "kept_last_good": kept,
        "slowest": sorted(([line, round(seconds * 1000, 1)] for line, seconds
                           in zip(lines, to_frame, strict=True)), key=lambda p: -p[1])[:5],
    }


def measure_share(db: Path, count: int) -> dict[str, Any]:
    """Seconds per ModifyImageSharePermission, sharing with and unsharing one directory account."""
    from ecsimg import service
    from ecsimg.bootstrap import make_context, open_repository
    from ecsimg.domain.errors import ApiError

    repo = open_repository(str(db))
    if repo.is_empty():
        raise SystemExit(f"{db} holds no catalogue")
    ctx = make_context(repo, SHARE_PROFILE)
    found = service.call(ctx, "DescribeImages", {
        "RegionId": SHARE_REGION, "ImageOwnerAlias": "self", "Status": "Available",
        "PageSize": "100"})
    candidates = [image["ImageId"] for image in found["Images"]["Image"]]
    refusals: list[str] = []
    for image_id in candidates:
        granted = service.call(ctx, "DescribeImageSharePermission",
                               {"RegionId": SHARE_REGION, "ImageId": image_id})
        already = {a["AliyunId"] for a in granted["Accounts"]["Account"]}
        # An account already shared with is unshared then shared again: in a large catalogue
        # every directory account may already receive as many shared images as it may.
        shared = [a for a in DIRECTORY_ACCOUNTS if a in already]
        accounts = shared or [a for a in DIRECTORY_ACCOUNTS if a not in already]
        verbs = ("RemoveAccount.1", "AddAccount.1") if shared else (
            "AddAccount.1", "RemoveAccount.1")
        try:  # a probe pair: some images (encrypted, from the Marketplace) refuse to be shared
            for verb in verbs:
                _share(ctx, image_id, verb, accounts[0])
        except ApiError as err:
            refusals.append(f"{image_id}: {err.code}")
            continue
        seconds: list[float] = []
        for index in range((count + 1) // 2):  # in pairs, so the catalogue ends as it began
            account = accounts[index % len(accounts)]
            seconds.extend(_share(ctx, image_id, verb, account) for verb in verbs)
        return {"calls": len(seconds), "image_id": image_id, "first": verbs[0],
                "median_seconds": statistics.median(seconds), "max_seconds": max(seconds)}
    raise SystemExit(f"no Available image of profile {SHARE_PROFILE} in {SHARE_REGION} "
                     f"could be shared (tried {len(candidates)}: {'; '.join(refusals[:5])})")


def _share(ctx: Context, image_id: str, parameter: str, account: str) -> float:
    """Seconds one ModifyImageSharePermission takes; it returns once the commit is on disk."""
    from ecsimg import service

    started = time.perf_counter()
    service.call(ctx, "ModifyImageSharePermission",
                 {"RegionId": SHARE_REGION, "ImageId": image_id, parameter: account})
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=("filter", "share"))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--every-region", action="store_true",
                        help="filter the list of every region's images")
    args = parser.parse_args()
    import ecsimg.ui  # noqa: F401  (Textual's frame rate as the console sets it, before Textual)

    if args.what == "filter":
        result = asyncio.run(measure_filter(args.db, args.count, args.every_region))
    else:
        result = measure_share(args.db, args.count)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
