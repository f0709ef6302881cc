from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cloud.stand_in import StandIn
from tests.world import World

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY",
                   "no_proxy", "ALL_PROXY", "all_proxy")
CREDENTIAL_VARIABLES = (
    "ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE",
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_REGION_ID", "ECSIMG_ENDPOINT",
)
SECRET = "Sekr3tValue-never-shown-0123456789"
TOKEN = "STS.TokenValue-never-shown-9876543210"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No proxy or credential variables from the developer's shell; HOME in a temp folder."""
    for name in (*PROXY_VARIABLES, *CREDENTIAL_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def write_config(home: Path, profiles: list[dict[str, Any]], current: str = "default") -> Path:
    """A config.json as `aliyun configure` writes it (tab-indented, mode 0600)."""
    folder = home / ".aliyun"
    folder.mkdir(exist_ok=True)
    path = folder / "config.json"
    document = {"current": current, "profiles": profiles, "meta_path": ""}
    path.write_text(json.dumps(document, indent="\t"))
    path.chmod(0o600)
    return path


def ak_profile(name: str = "default", **changes: Any) -> dict[str, Any]:
    """A profile with every field the CLI writes, as it writes them."""
    profile: dict[str, Any] = {
        "name": name, "mode": "AK", "access_key_id": "LTAI5tTestKeyId00000000",
        "access_key_secret": SECRET, "sts_token": "", "sts_region": "", "ram_role_name": "",
        "ram_role_arn": "", "ram_session_name": "", "source_profile": "", "private_key": "",
        "key_pair_name": "", "expired_seconds": 0, "verified": "", "region_id": "cn-hangzhou",
        "output_format": "json", "language": "en", "site": "", "retry_timeout": 0,
        "connect_timeout": 0, "retry_count": 0, "process_command": "", "credentials_uri": "",
        "oidc_provider_arn": "", "oidc_token_file": "", "cloud_sso_sign_in_url": "",
        "cloud_sso_access_config": "", "cloud_sso_account_id": "",
    }
    profile.update(changes)
    return profile


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    with StandIn(World(tmp_path)) as server:
        yield server
