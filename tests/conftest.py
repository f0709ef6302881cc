from __future__ import annotations

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
