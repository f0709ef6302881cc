"""Fixtures: a demo catalogue made once by the real command, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.runner import Result, Runner, run_ecsimg


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo catalogue made once by the real command (its first use creates it)."""
    db = tmp_path_factory.mktemp("demo") / "catalogue"
    result = run_ecsimg("profile", "list", db=db)
    assert result.status == 0, result.err
    return db


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo catalogue for one test."""
    db = tmp_path / "catalogue"
    shutil.copytree(demo_template, db, ignore=shutil.ignore_patterns(".lock"))
    return db


@pytest.fixture
def ecsimg(demo_db: Path) -> Runner:
    """Run the command on this test's copy of the demo catalogue."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return run_ecsimg(*args, db=demo_db, env=env)

    return run


@pytest.fixture
def ecsimg_main(demo_db: Path, capsys: pytest.CaptureFixture[str],
                monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Call ``main()`` in this process on the test's demo copy: the same code, without the
    start-up cost, for the many small cases; the subprocess tests cover the real command."""
    from ecsimg.cli.main import main

    for name in ("ECSIMG_PROFILE", "ECSIMG_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ECSIMG_DB", str(demo_db))
    monkeypatch.setenv("ECSIMG_TASK_SECONDS_PER_GIB", "0")

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        with monkeypatch.context() as scoped:
            for name, value in (env or {}).items():
                scoped.setenv(name, value)
            status = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in err, err
        return Result(status, out, err)

    return run
