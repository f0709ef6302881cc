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


def _last_line(code: str) -> str:
    """The last line ``code`` prints in a fresh interpreter (which must succeed)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1] if result.stdout.strip() else ""


def test_core_and_cli_import_neither_textual_nor_rich() -> None:
    assert _last_line(CHECK) == ""


def test_version_loads_neither_the_service_nor_the_store() -> None:
    code = ("import sys; from ecsimg.cli.main import main; main(['--version']); "
            "print(sorted(m for m in sys.modules if m.startswith(('ecsimg.service', "
            "'ecsimg.store', 'tinydb', 'textual', 'rich'))))")
    assert _last_line(code) == "[]"


def test_a_call_imports_its_own_action_module_and_no_read_model() -> None:
    code = ("import sys; from ecsimg import service;"
            " service.lookup('ModifyImageSharePermission'); print(sorted(m for m in sys.modules"
            " if m.startswith(('ecsimg.service.images.describe', 'ecsimg.service.reads.browse',"
            " 'ecsimg.service.market.price', 'ecsimg.service.instances.',"
            " 'ecsimg.service.images.share'))))")
    assert _last_line(code) == "['ecsimg.service.images.share']"


def test_the_action_table_names_each_action_where_it_is_registered() -> None:
    # In a fresh process: importing every module registers exactly the names the table
    # lists, each from the module the table names; the table lists them in its own order.
    code = """
import importlib, pkgutil, sys
import ecsimg.service as service
from ecsimg.service.machinery import registry
for info in pkgutil.walk_packages(service.__path__, "ecsimg.service."):
    importlib.import_module(info.name)
for table in (registry.ACTIONS, registry.OWN_ACTIONS):
    loaded = table._loaded
    assert set(loaded) == set(table._modules), set(loaded) ^ set(table._modules)
    assert list(table) == list(table._modules)
    for name, act in loaded.items():
        assert act.handler.__module__ == f"ecsimg.service.{table._modules[name]}", name
print("ok")
"""
    assert _last_line(code) == "ok"


def test_the_terminal_ui_starts_without_the_screens_it_opens_later() -> None:
    # Each costs the first rows milliseconds at start-up; they are imported when opened.
    code = ("import sys; import ecsimg.ui.app; print(sorted(m for m in sys.modules if "
            "m.startswith(('ecsimg.ui.screens.compare', 'ecsimg.ui.screens.costs', "
            "'ecsimg.ui.screens.detail', 'ecsimg.ui.screens.export', "
            "'ecsimg.ui.screens.tasks'))))")
    assert _last_line(code) == "[]"
