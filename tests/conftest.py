from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecsimg.i18n import LOCALE_VARIABLES, set_language
from tests.world import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    """A fresh catalogue on a real TinyDB folder in a temporary directory."""
    return World(tmp_path)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English whatever the machine's locale; a test may switch."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def thawed_after_a_long_campaign(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a slow campaign, thaw and collect what its reads froze out of the cycle
    collector (``store.memory.collector_paused``): ``make soak`` runs them in one process,
    and the repositories they let go would otherwise add up until the next test."""
    yield
    if request.node.get_closest_marker("slow") is not None:
        gc.unfreeze()
        gc.collect()
