"""The TUI's heap policy around a load: what one load freezes, the next one collects."""

from __future__ import annotations

import gc
import weakref

import pytest

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


def test_before_the_first_load_nothing_is_thawed_or_collected(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the store froze while it read (``collector_paused``) before any load stays frozen:
    thawing and collecting it would delay the first rows for nothing."""
    monkeypatch.setattr(heap, "_a_load_frozen", False)
    collections: list[str] = []
    callback = lambda phase, info: collections.append(phase)  # noqa: E731
    try:
        gc.freeze()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        gc.callbacks.append(callback)
        heap.before_load()
        assert collections == []
        assert gc.get_freeze_count() == frozen
        heap.after_load()
        heap.before_load()  # a load was frozen: the next one thaws and collects
        assert collections and gc.get_freeze_count() == 0
    finally:
        if callback in gc.callbacks:
            gc.callbacks.remove(callback)
        gc.unfreeze()
