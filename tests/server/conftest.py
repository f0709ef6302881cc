"""Fixtures: a demo catalogue with keys, and a real ``ecsimg serve`` on a copy of it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.runner import run_ecsimg
from tests.server.harness import PROXY_VARIABLES, Keys, Served, profile_keys, start_server


@pytest.fixture(scope="session", autouse=True)
def no_proxy_in_this_process() -> Iterator[None]:
    """The SDK clients run in the test process: a proxy there would swallow 127.0.0.1."""
    saved = {k: os.environ.pop(k) for k in PROXY_VARIABLES if k in os.environ}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def keyed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo catalogue, made by the real command, whose profiles have their keys."""
    db = tmp_path_factory.mktemp("served") / "catalogue"
    result = run_ecsimg("profile", "list", db=db)
    assert result.status == 0, result.err
    for name in ("default", "dev", "audit", "partner"):
        profile_keys(db, name)
    return db


def copy_of(template: Path, folder: Path) -> Path:
    db = folder / "catalogue"
    shutil.copytree(template, db, ignore=shutil.ignore_patterns(".lock"))
    return db


@pytest.fixture(scope="module")
def served(keyed_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server per test module, on its own copy of the catalogue."""
    db = copy_of(keyed_template, tmp_path_factory.mktemp("module"))
    server = start_server(db, env={"ECSIMG_TASK_SECONDS_PER_GIB": "60"})
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def default_keys(served: Served) -> Keys:
    return profile_keys(served.db, "default")
