from __future__ import annotations

from pathlib import Path

import pytest

from tests.world import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    """A fresh catalogue on a real TinyDB folder in a temporary directory."""
    return World(tmp_path)
