"""Running ``ecsimg`` and helper scripts as separate processes on one test catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.cli.runner import Result, cli_env, run_ecsimg


def spawn(db: Path, *argv: str) -> subprocess.Popen[bytes]:
    """``python -m ecsimg ARGV`` started, not waited for."""
    return subprocess.Popen([sys.executable, "-m", "ecsimg", *argv], env=cli_env(db),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def describe_own_images(db: Path) -> dict[str, dict[str, Any]]:
    """The caller's own images by ID, as ``ecsimg api DescribeImages`` prints them; fails the
    test unless the command exits 0 with nothing on stderr (the catalogue opens)."""
    result = run_ecsimg("api", "DescribeImages", "--ImageOwnerAlias", "self",
                        "--PageSize", "100", db=db)
    assert result.status == 0 and not result.err, (result.status, result.err)
    images = result.json()["Images"]["Image"]
    assert len(images) < 100, "more images than one page: the test would miss some"
    return {image["ImageId"]: image for image in images}


def api_ok(db: Path, *argv: str) -> Result:
    result = run_ecsimg("api", *argv, db=db)
    assert result.status == 0, (argv, result.err)
    return result


def load_json(result: Result) -> Any:
    return json.loads(result.out)
