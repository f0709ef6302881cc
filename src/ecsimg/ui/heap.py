"""Keeping Python's cycle collector off the loaded rows, so it does not stall keystrokes."""

from __future__ import annotations

import gc


def settle_after_load() -> None:
    """Collect what the last load left, then exempt everything alive from later collections.

    100,000 rows and their fields are a million objects that live until the next load. The
    cycle collector walks every one of them in each full collection, which typing, drawing
    and scrolling trigger every few seconds: 80-90 ms stalls at 100,000 images. Frozen
    objects are still freed by reference counting when the next load replaces them; only
    cycles among them would wait, so each load first thaws and collects what the previous
    one froze, and nothing frozen outlives two loads.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
