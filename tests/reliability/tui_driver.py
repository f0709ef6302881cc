"""Writes to a catalogue through the TUI's dialogs, driven by Pilot; a line per write acknowledged.

Run as ``python tui_driver.py START EDIT_IMAGE_ID SHARE_IMAGE_ID`` with ECSIMG_DB set. It runs
the real app (``make_app`` on the backend the CLI opens) headless; write ``seq`` is
``plan(seq)``: a rename in the edit dialog, then the share dialog adding or removing two
accounts (one ModifyImageSharePermission call), in turn. ``APPLY seq`` is printed as it
presses ctrl+s, ``ACK seq`` is printed once the
dialog closed on its apply's success and the main screen is back, so every printed write was
committed. The exit status is the app's (143 on SIGTERM, 130 on SIGINT).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

SHARE_UIDS = ("6000000000000001", "6000000000000002")
STEPS = 2
SIZE = (100, 30)


@dataclass(frozen=True)
class Write:
    """One dialog's write: a new name, or accounts to add or remove."""

    dialog: str
    name: str = ""
    add: bool = False


def edit_name(seq: int) -> str:
    return f"tui-{seq}"


def plan(seq: int) -> Write:
    """Write ``seq``: renames and shares alternate; the share adds, then removes, both UIDs."""
    if seq % STEPS == 0:
        return Write("edit", name=edit_name(seq))
    return Write("share", add=(seq // STEPS) % 2 == 0)


class Stopped(Exception):
    """The app ended (a signal asked it to): the driver stops with its status."""


async def drive(start: int, edit_image: str, share_image: str) -> int:
    from textual.widgets import Input

    from ecsimg.bootstrap import open_backend
    from ecsimg.config import Settings
    from ecsimg.ui.app import make_app
    from ecsimg.ui.dialogs.api_dialog import ApiDialog
    from ecsimg.ui.dialogs.base import Dialog
    from ecsimg.ui.screens.main import MainScreen
    from ecsimg.ui.widgets.image_list import ImageList

    app = make_app(open_backend(), Settings())

    async with app.run_test(size=SIZE) as pilot:

        async def settle() -> None:
            """Wait for the app's workers and, with a dialog open, for its check of the form."""
            for _ in range(400):
                if app._exit or not app.is_running:
                    raise Stopped
                await pilot.pause()
                idle = all(worker.is_finished for worker in app.workers)
                screen = app.screen
                if idle and (not isinstance(screen, Dialog) or screen.settled):
                    return
                await asyncio.sleep(0.01)
            raise SystemExit("the app did not settle")

        async def open_dialog(key: str, image_id: str) -> ApiDialog[object]:
            await settle()
            main = app.screen
            if not isinstance(main, MainScreen):
                raise SystemExit(f"expected the main screen, found {main!r}")
            rows = main.query_one(ImageList)
            found = next((r for r in rows.rows if r.image_id == image_id), None)
            if found is None or not rows.move_to(found.key):
                raise SystemExit(f"{image_id} is not in the list")
            rows.focus()
            await pilot.press(key)
            await settle()
            dialog = app.screen
            if not isinstance(dialog, ApiDialog):
                raise SystemExit(f"key {key!r} opened no dialog: {dialog!r}")
            return dialog

        async def type_into(dialog: ApiDialog[object], selector: str, text: str) -> None:
            field = dialog.query_one(selector, Input)
            field.focus()
            # One change, as a paste is: a key per character would run a check per key.
            field.value = text
            await settle()

        async def apply(dialog: ApiDialog[object], seq: int) -> None:
            print(f"APPLY {seq}", flush=True)
            await pilot.press("ctrl+s")
            for _ in range(1000):
                await settle()
                if isinstance(app.screen, MainScreen):
                    return
                if app.screen is dialog and dialog.settled:
                    error = str(dialog.query_one("#dialog-error").render())
                    raise SystemExit(f"the dialog did not apply: {error}")
            raise SystemExit("the dialog did not close")

        try:
            await settle()
            seq = start
            while True:
                write = plan(seq)
                if write.dialog == "edit":
                    dialog = await open_dialog("e", edit_image)
                    await type_into(dialog, "#edit-name", write.name)
                else:
                    dialog = await open_dialog("s", share_image)
                    selector = "#share-add" if write.add else "#share-remove"
                    await type_into(dialog, selector, " ".join(SHARE_UIDS))
                await apply(dialog, seq)
                print(f"ACK {seq}", flush=True)
                seq += 1
        except Stopped:
            pass
        except Exception:
            # A signal ended the app while this driver was at work: what it waited for or
            # looked up went with the app's screens (a field gone, a screen that will not
            # settle again). Before the app quits, any error is the driver's.
            if not app.quitting:
                raise
    # The app ends on SIGTERM with the exit status as its result, as ``run_tui`` returns it.
    status = app.return_value
    return status if isinstance(status, int) else 0


def main(argv: list[str]) -> int:
    from ecsimg.cli.main import EXIT_INTERRUPTED

    try:
        return asyncio.run(drive(int(argv[0]), argv[1], argv[2]))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED  # as ``ecsimg`` ends on ctrl+C


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
