"""Waiting for the whole app in Pilot tests that run the main screen."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.worker import WorkerCancelled


async def settle_app(pilot: Pilot[int]) -> None:
    """Let the app's workers finish (a reload may cancel the one it replaces)."""
    for _ in range(5):
        await pilot.pause()
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            return
