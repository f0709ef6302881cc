"""The TUI's heap policy after a load: frozen objects are freed by the next load's settle."""

from __future__ import annotations

import gc
import weakref

from ecsimg.ui.heap import settle_after_load


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_a_cycle_frozen_by_one_load_is_collected_by_the_next() -> None:
    try:
        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle: reference counts never free it
        watch = weakref.ref(first)
        settle_after_load()
        assert gc.get_freeze_count() > 0
        del first, second
        gc.collect()
        assert watch() is not None, "frozen: a full collection leaves it alone"
        settle_after_load()
        assert watch() is None
    finally:
        gc.unfreeze()


def test_frozen_objects_without_cycles_are_freed_at_once() -> None:
    try:
        kept = Node()
        watch = weakref.ref(kept)
        settle_after_load()
        del kept
        assert watch() is None
    finally:
        gc.unfreeze()
