"""Running the real ``ecsimg`` command in a subprocess and reading what it printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    """What one run of the command left: exit status, stdout, stderr."""

    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def error(self) -> dict[str, Any]:
        """The API error object on stderr; asserts it is the only thing there."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        body: dict[str, Any] = json.loads(lines[0])
        assert set(body) == {"Code", "Message", "HttpStatus", "RequestId"}, body
        return body

    def usage_line(self) -> str:
        """The one usage-error line on stderr."""
        assert self.status == 2, (self.status, self.out, self.err)
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("ecsimg: "), lines[0]
        return lines[0]


Runner = Callable[..., Result]


def cli_env(db: Path) -> dict[str, str]:
    """The environment the command runs in: this catalogue, instant tasks, private XDG dirs."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ECSIMG_")}
    environment.update({
        "ECSIMG_DB": str(db),
        "ECSIMG_TASK_SECONDS_PER_GIB": "0",
        "XDG_DATA_HOME": str(db.parent / "xdg-data"),
        "XDG_CONFIG_HOME": str(db.parent / "xdg-config"),
        "PYTHONIOENCODING": "utf-8",
    })
    return environment


def run_ecsimg(*args: str, db: Path, env: dict[str, str] | None = None) -> Result:
    """``python -m ecsimg ARGS`` with ECSIMG_DB set; fails the test on any traceback."""
    environment = cli_env(db)
    environment.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "ecsimg", *args], capture_output=True, env=environment,
        timeout=120, check=False,
    )
    result = Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
    assert "Traceback" not in result.err, result.err
    return result


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but the lock) with its bytes: to prove nothing changed."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}
