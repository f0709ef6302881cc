"""The ClientToken list matches the installed SDK's request models."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from ecsimg.cloud.client_token import CLIENT_TOKEN_ACTIONS, with_client_token


def sdk_actions_with_client_token() -> set[str]:
    spec = importlib.util.find_spec("alibabacloud_ecs20140526")
    assert spec is not None and spec.submodule_search_locations
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    found = set()
    for path in models.glob("*_request.py"):
        text = path.read_text()
        if "self.client_token = client_token" in text:
            for name in re.findall(r"^class (\w+)Request\(", text, re.MULTILINE):
                if not name.endswith("Shrink"):
                    found.add(name)
    return found


def test_the_list_is_the_sdks() -> None:
    assert sdk_actions_with_client_token() == CLIENT_TOKEN_ACTIONS
    assert {"CopyImage", "CreateImage", "ImportImage", "RunInstances"} <= CLIENT_TOKEN_ACTIONS


def test_a_token_is_added_once_and_kept() -> None:
    first = with_client_token("CreateImage", {"RegionId": "cn-hangzhou"})
    assert len(first["ClientToken"]) == 36
    assert with_client_token("CreateImage", first) == first
    assert "ClientToken" not in with_client_token("ModifyImageSharePermission", {})
    assert with_client_token("CreateImage", {})["ClientToken"] != first["ClientToken"]
