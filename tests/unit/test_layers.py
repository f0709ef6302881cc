"""The architecture's rules that imports and sources must keep (see the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "ecsimg"


def test_import_contracts_hold() -> None:
    """ui/cli use the service, never the store; domain imports nothing of ecsimg; store never
    imports the service; no layer below the ui imports Textual or Rich (pyproject.toml)."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_read_only_refusal_is_built_in_one_place() -> None:
    builders = [path.relative_to(SOURCE).as_posix() for path in SOURCE.rglob("*.py")
                if '"Forbidden.ReadOnly"' in path.read_text(encoding="utf-8")]
    assert builders == ["domain/errors.py"]
