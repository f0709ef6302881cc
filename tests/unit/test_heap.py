"""The TUI's heap policy around a load: what one load freezes, the next one collects."""

from __future__ import annotations

import gc
import weakref

from ecsimg.ui import heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_a_cycle_frozen_after_one_load_is_collected_before_the_next() -> None:
    try:
        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle: reference counts never free it
        watch = weakref.ref(first)
        heap.after_load()
        assert gc.get_freeze_count() > 0
        del first, second
        gc.collect()
        assert watch() is not None, "frozen: a full collection leaves it alone"
        heap.before_load()
        assert watch() is None
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_frozen_objects_without_cycles_are_freed_at_once() -> None:
    try:
        kept = Node()
        watch = weakref.ref(kept)
        heap.after_load()
        del kept
        assert watch() is None
    finally:
        gc.unfreeze()
