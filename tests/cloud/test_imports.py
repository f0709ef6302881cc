"""Cloud mode loads the SDK only when it builds a client, and never Textual, Rich or the UI."""

from __future__ import annotations

import subprocess
import sys

SDK_PACKAGES = ("alibabacloud_", "darabonba", "Tea", "aiohttp", "requests")


def loaded_after(code: str) -> list[str]:
    script = (f"import sys\n{code}\n"
              "print('LOADED:' + ','.join(sorted(m for m in sys.modules if m.startswith("
              f"{(*SDK_PACKAGES, 'textual', 'rich', 'ecsimg.ui')!r}))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    listed = done.stdout.rsplit("LOADED:", 1)[-1].strip()
    return [m for m in listed.split(",") if m]


def test_importing_cloud_mode_loads_no_sdk_and_no_ui() -> None:
    modules = ("client", "client_token", "convert", "credentials", "endpoint", "errors",
               "retry", "sync", "sync_plan")
    assert loaded_after("\n".join(f"import ecsimg.cloud.{m}" for m in modules)) == []


def test_version_loads_no_sdk() -> None:
    assert loaded_after("from ecsimg.cli.main import main\nmain(['--version'])") == []


def test_building_a_client_loads_the_sdk_but_no_ui() -> None:
    loaded = loaded_after(
        "from ecsimg.cloud.client import EcsClient\n"
        "EcsClient(None, 'cn-hangzhou').sdk_client('cn-hangzhou')")
    assert "alibabacloud_ecs20140526.client" in loaded
    assert not [m for m in loaded if m.startswith(("textual", "rich", "ecsimg.ui"))]
