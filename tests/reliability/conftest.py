"""Fixtures: a demo catalogue made once by the real command, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.runner import run_ecsimg
from tests.ui.conftest import build
from tests.world import World


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("reliability-demo") / "catalogue"
    result = run_ecsimg("profile", "list", db=db)
    assert result.status == 0, result.err
    return db


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo catalogue for one test."""
    db = tmp_path / "catalogue"
    shutil.copytree(demo_template, db, ignore=shutil.ignore_patterns(".lock"))
    return db


@pytest.fixture(scope="session")
def ui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The UI tests' catalogue (every tab, a busy image, hostile names), built once."""
    root = tmp_path_factory.mktemp("reliability-ui")
    build(World(root))
    return root / "catalogue"


@pytest.fixture
def ui_world(tmp_path: Path, ui_template: Path) -> World:
    shutil.copytree(ui_template, tmp_path / "catalogue")
    return World(tmp_path)
