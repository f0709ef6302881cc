"""aliyun CLI profiles read from a real-format config.json in a temporary HOME."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecsimg.cloud.credentials import (
    CliProfile,
    build_credential,
    cli_config_path,
    load_cli_profile,
    resolve_source,
)
from ecsimg.cloud.errors import CredentialsError
from tests.cloud.conftest import SECRET, TOKEN, ak_profile, write_config

ROLE_ARN = "acs:ram::1234567890123456:role/ecsimg-admin"


def error_of(name: str = "", path: Path | None = None) -> str:
    with pytest.raises(CredentialsError) as caught:
        load_cli_profile(name, path)
    message = str(caught.value)
    assert "\n" not in message
    assert SECRET not in message and TOKEN not in message
    return message


def test_the_file_is_the_one_the_cli_and_the_sdk_read(clean_environment: Path) -> None:
    assert cli_config_path() == clean_environment / ".aliyun" / "config.json"


def test_ak_profile(clean_environment: Path) -> None:
    path = write_config(clean_environment, [ak_profile("ops", region_id="cn-shanghai")], "ops")
    profile = load_cli_profile("ops")
    assert (profile.name, profile.mode, profile.region_id) == ("ops", "AK", "cn-shanghai")
    assert profile.access_key_secret == SECRET
    assert profile.source == path


def test_empty_name_takes_the_current_profile(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("a"), ak_profile("b", region_id="eu-west-1")],
                 current="b")
    assert load_cli_profile("").name == "b"
    assert resolve_source("").region_id == "eu-west-1"


def test_empty_name_takes_the_profile_the_cli_variable_names(
        clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(clean_environment, [ak_profile("a"), ak_profile("b")], current="b")
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "a")
    assert load_cli_profile("").name == "a"
    assert load_cli_profile("b").name == "b"  # a name given wins over the variable


def test_every_supported_mode(clean_environment: Path) -> None:
    write_config(clean_environment, [
        ak_profile("sts", mode="StsToken", sts_token=TOKEN),
        ak_profile("role", mode="RamRoleArn", ram_role_arn=ROLE_ARN, ram_session_name="ecsimg",
                   expired_seconds=1800),
        ak_profile("ecs", mode="EcsRamRole", access_key_id="", access_key_secret="",
                   ram_role_name="EcsRole"),
        ak_profile("lower", mode="ak"),
    ])
    assert load_cli_profile("sts").sts_token == TOKEN
    role = load_cli_profile("role")
    assert (role.ram_role_arn, role.ram_session_name, role.expired_seconds) == (
        ROLE_ARN, "ecsimg", 1800)
    assert role.role_account_id == "1234567890123456"
    assert load_cli_profile("ecs").ram_role_name == "EcsRole"
    assert load_cli_profile("sts").role_account_id == ""
    assert load_cli_profile("lower").mode == "AK"  # the CLI matches modes case-blind


def test_no_file(clean_environment: Path) -> None:
    message = error_of("x")
    assert str(clean_environment / ".aliyun" / "config.json") in message
    assert "aliyun configure" in message


def test_unreadable_file(clean_environment: Path) -> None:
    path = write_config(clean_environment, [ak_profile()])
    path.chmod(0)
    try:
        if path.stat().st_mode and _can_read(path):
            pytest.skip("running as a user who reads any file")
        assert "cannot read" in error_of("default")
    finally:
        path.chmod(0o600)


def test_a_folder_where_the_file_should_be(clean_environment: Path) -> None:
    (clean_environment / ".aliyun" / "config.json").mkdir(parents=True)
    assert "config.json: cannot read (Is a directory)" in error_of("default")


def _can_read(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


def test_bad_json_names_the_place_not_the_content(clean_environment: Path) -> None:
    path = write_config(clean_environment, [ak_profile()])
    path.write_text(path.read_text()[:-40])
    message = error_of("default")
    assert message.startswith(f"{path}: not valid JSON (line ")


@pytest.mark.parametrize("document", ["[]", '{"profiles": {}}', '{"profiles": [1]}'])
def test_not_a_configuration(clean_environment: Path, document: str) -> None:
    path = write_config(clean_environment, [])
    path.write_text(document)
    assert "not an aliyun CLI configuration" in error_of("default")


def test_unknown_profile_lists_the_known_ones(clean_environment: Path) -> None:
    path = write_config(clean_environment, [ak_profile("prod"), ak_profile("dev")])
    assert error_of("staging") == f"{path}: no profile 'staging'; profiles: dev, prod"


def test_no_current_profile(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("prod")], current="")
    assert "no current profile" in error_of("")


@pytest.mark.parametrize(("mode", "changes", "missing"), [
    ("AK", {"access_key_id": ""}, "access_key_id"),
    ("AK", {"access_key_secret": ""}, "access_key_secret"),
    ("StsToken", {"sts_token": ""}, "sts_token"),
    ("RamRoleArn", {"ram_session_name": "x"}, "ram_role_arn"),
    ("RamRoleArn", {"ram_role_arn": ROLE_ARN}, "ram_session_name"),
    ("RamRoleArn", {"access_key_secret": "", "ram_role_arn": ROLE_ARN, "ram_session_name": "x"},
     "access_key_secret"),
])
def test_missing_fields_per_mode(clean_environment: Path, mode: str, changes: dict[str, Any],
                                 missing: str) -> None:
    path = write_config(clean_environment, [ak_profile("p", mode=mode, **changes)])
    assert error_of("p") == (f"{path}: profile 'p' (mode {mode}) has no {missing}; "
                             f"run `aliyun configure --profile p --mode {mode}`")


def test_missing_or_bad_region(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("a", region_id=""),
                                     ak_profile("b", region_id="cn hangzhou")])
    assert "has no region_id" in error_of("a")
    assert "is not a region name" in error_of("b")


def test_modes_ecsimg_does_not_support(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("o", mode="OIDC"), ak_profile("x", mode="Magic"),
                                     ak_profile("n", mode="")])
    assert "uses mode OIDC, which ecsimg does not support (supported: AK, StsToken, " \
           "RamRoleArn, EcsRamRole)" in error_of("o")
    assert "mode 'Magic' is not an aliyun CLI mode" in error_of("x")
    assert "is not configured yet (no mode)" in error_of("n")


def test_a_field_of_the_wrong_type(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("p", access_key_id=12345)])
    assert "field 'access_key_id' is not a string" in error_of("p")


def test_a_role_session_shorter_than_sts_allows(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("r", mode="RamRoleArn", ram_role_arn=ROLE_ARN,
                                                ram_session_name="s", expired_seconds=60)])
    assert "below the 900 s" in error_of("r")


def test_the_secret_is_in_no_repr_or_log(clean_environment: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    write_config(clean_environment, [ak_profile("s", mode="StsToken", sts_token=TOKEN)])
    caplog.set_level(logging.DEBUG)
    source = resolve_source("s")
    profile = source.profile
    assert isinstance(profile, CliProfile)
    shown = [repr(profile), str(profile), repr(source), profile.describe(), source.describe()]
    for text in shown:
        assert SECRET not in text and TOKEN not in text
    build_credential(source)
    assert SECRET not in caplog.text and TOKEN not in caplog.text
    assert set(source.secrets) == {SECRET, TOKEN}


def test_credentials_for_the_key_modes(clean_environment: Path) -> None:
    write_config(clean_environment, [ak_profile("ak"),
                                     ak_profile("sts", mode="StsToken", sts_token=TOKEN)])
    ak = build_credential(resolve_source("ak")).get_credential()
    assert (ak.access_key_id, ak.access_key_secret, ak.security_token) == (
        "LTAI5tTestKeyId00000000", SECRET, None)
    sts = build_credential(resolve_source("sts")).get_credential()
    assert (sts.access_key_secret, sts.security_token) == (SECRET, TOKEN)


def test_role_modes_build_the_library_providers_without_calling(clean_environment: Path) -> None:
    write_config(clean_environment, [
        ak_profile("role", mode="RamRoleArn", ram_role_arn=ROLE_ARN, ram_session_name="ecsimg"),
        ak_profile("ecs", mode="EcsRamRole", access_key_id="", access_key_secret=""),
    ])
    role = build_credential(resolve_source("role"))
    ecs = build_credential(resolve_source("ecs"))
    assert type(role.cloud_credential.provider).__name__ == "RamRoleArnCredentialsProvider"
    assert type(ecs.cloud_credential.provider).__name__ == "EcsRamRoleCredentialsProvider"


def test_env_source_uses_the_chain_and_the_environment_region(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "ap-southeast-1")
    source = resolve_source("env")
    assert (source.name, source.region_id, source.profile) == ("env", "ap-southeast-1", None)
    assert "credential chain" in source.describe()


def test_the_chain_reads_the_environment_set_after_ecsimg_is_imported(
        clean_environment: Path) -> None:
    script = (
        "import os\n"
        "from ecsimg.cloud import client, credentials, sync\n"
        "os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'] = 'LTAIfromenv'\n"
        "os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = 'secret-from-env'\n"
        "c = credentials.build_credential(credentials.resolve_source('env')).get_credential()\n"
        "print(c.access_key_id, c.access_key_secret)\n"
    )
    env = {**os.environ, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.stdout.split() == ["LTAIfromenv", "secret-from-env"], done.stderr
