"""The service suite runs on every repository: each test once on TinyDB, once in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.world import STORAGES, Storage, World


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest) -> Storage:
    """Which repository the test's catalogue is held in."""
    found: Storage = request.param
    return found


@pytest.fixture
def world(tmp_path: Path, storage: Storage) -> World:
    """A fresh catalogue in the repository ``storage`` names."""
    return World(tmp_path, storage=storage)
