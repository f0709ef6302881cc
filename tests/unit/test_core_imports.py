"""The core and the command line never load Textual or Rich (SPEC section 2)."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import ecsimg.domain, ecsimg.store, ecsimg.service, ecsimg.cli.main, ecsimg.bootstrap
import ecsimg.cli.commands, ecsimg.service.images.load, ecsimg.locations
import ecsimg.store.tinystore, ecsimg.store.demo.seed
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(",".join(loaded))
"""


def test_core_and_cli_import_neither_textual_nor_rich() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_version_loads_neither_the_service_nor_the_store() -> None:
    code = ("import sys; from ecsimg.cli.main import main; main(['--version']); "
            "print(sorted(m for m in sys.modules if m.startswith(('ecsimg.service', "
            "'ecsimg.store', 'tinydb', 'textual', 'rich'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
