"""Keeping Python's cycle collector off the loaded rows, so it does not stall keystrokes."""

from __future__ import annotations

import gc

_a_load_frozen = False
"""Whether ``after_load`` froze a load's rows in this process."""


def before_load() -> None:
    """Thaw what the last load froze and collect what is garbage among it: nothing frozen
    outlives the next load. The collection walks the rows still shown, once, while the list
    says it is loading. Before the first load there are no rows to free, and the collection
    (30 ms over the modules just imported) would delay the first rows: nothing is done."""
    if _a_load_frozen and gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def after_load() -> None:
    """Exempt everything alive now, the rows just loaded among it, from later collections.

    100,000 rows and their fields are a million objects that live until the next load. The
    cycle collector walks every one of them in each full collection, which typing, drawing
    and scrolling trigger every few seconds: 80-90 ms stalls at 100,000 images. Frozen
    objects are still freed by reference counting when the next load replaces them; only
    cycles among them wait for ``before_load``. Freezing costs nothing, so the first
    keystrokes after a load do not wait for it.
    """
    global _a_load_frozen
    _a_load_frozen = True
    gc.freeze()
