"""The official Node SDK (@alicloud/ecs20140526) against a real server: one smoke test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server.harness import PROXY_VARIABLES, Keys, Served

NODE_DIR = Path(__file__).resolve().parent / "node"
INSTALL_SECONDS = 300


@pytest.fixture(scope="module")
def node_sdk() -> Path:
    """tests/server/node with its packages installed from npm (once; kept between runs)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    if not (NODE_DIR / "node_modules" / "@alicloud" / "ecs20140526").is_dir():
        try:
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                                  capture_output=True, text=True, timeout=INSTALL_SECONDS,
                                  check=False)
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm install took over {INSTALL_SECONDS} s")
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            pytest.skip(f"npm could not install the Node SDK: {lines[-1] if lines else '?'}")
    return NODE_DIR


def test_node_sdk_reads_and_gets_the_api_error(node_sdk: Path, served: Served,
                                               default_keys: Keys) -> None:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.update({"ECSIMG_AK": default_keys.access_key_id, "ECSIMG_SECRET": default_keys.secret,
                "ECSIMG_ENDPOINT": served.endpoint})
    done = subprocess.run(["node", str(node_sdk / "smoke.js")], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["count"] == 3 and seen["total"] > 3
    assert seen["refused"] == {"code": "MissingParameter", "statusCode": 400}
