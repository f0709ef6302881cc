"""Starting and stopping ``ecsimg serve``, keys from the command line, and sharing a catalogue."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alibabacloud_ecs20140526 import models as sdk
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.cli.runner import cli_env, run_ecsimg
from tests.server.conftest import copy_of
from tests.server.harness import (
    READY_PREFIX,
    clear_proxies,
    cli_json,
    port_is_free,
    profile_keys,
    start_server,
    typed_client,
)

HZ = "cn-hangzhou"


@pytest.fixture
def db(keyed_template: Path, tmp_path: Path) -> Path:
    return copy_of(keyed_template, tmp_path)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_one_ready_line_then_a_clean_stop(db: Path, sig: signal.Signals) -> None:
    served = start_server(db)
    assert served.ready_line == f"{READY_PREFIX}127.0.0.1:{served.port}"
    assert served.port != 8470 and not port_is_free(served.port)
    client = typed_client(served, profile_keys(db, "default"))
    client.describe_regions(sdk.DescribeRegionsRequest())
    assert served.stop(sig) == 0
    assert served.extra_stdout == []
    assert served.stderr() == ""
    assert port_is_free(served.port)


def test_requests_in_flight_at_a_stop_finish_or_fail_whole(db: Path) -> None:
    served = start_server(db)
    client = typed_client(served, profile_keys(db, "default"))
    outcomes: list[str] = []

    def keep_asking() -> None:
        for _ in range(200):
            try:
                body = client.describe_images(sdk.DescribeImagesRequest(
                    region_id=HZ, page_size=5)).body
                outcomes.append("ok" if len(body.images.image) == 5 else "partial")
            except ClientException as err:
                outcomes.append(f"api error {err.code}")
            except Exception:
                outcomes.append("refused")
                return

    askers = [threading.Thread(target=keep_asking) for _ in range(4)]
    for asker in askers:
        asker.start()
    while outcomes.count("ok") < 8:
        threading.Event().wait(0.02)
    assert served.stop(signal.SIGTERM) == 0
    for asker in askers:
        asker.join(timeout=60)
    assert set(outcomes) <= {"ok", "refused"}, outcomes


def test_a_busy_port_is_one_line_and_status_1(db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "ecsimg", "serve", "--port", str(port)],
            capture_output=True, text=True, env=clear_proxies(cli_env(db)), timeout=60,
            check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("ecsimg: serve: cannot listen on 127.0.0.1:")
    assert len(done.stderr.splitlines()) == 1


def test_bad_port_is_a_usage_error(db: Path) -> None:
    result = run_ecsimg("serve", "--port", "70000", db=db)
    assert result.status == 2 and "70000" in result.usage_line()


def test_profile_keys_are_made_once_and_kept(db: Path) -> None:
    first = run_ecsimg("profile", "keys", "partner", db=db)
    assert first.status == 0, first.err
    assert set(first.json()) == {"Profile", "AccessKeyId", "AccessKeySecret"}
    assert first.json()["Profile"] == "partner"
    assert run_ecsimg("profile", "keys", "partner", db=db).json() == first.json()
    assert profile_keys(db, "dev").access_key_id != first.json()["AccessKeyId"]


def test_profile_keys_of_an_unknown_profile(db: Path) -> None:
    result = run_ecsimg("profile", "keys", "nobody", db=db)
    assert "unknown profile 'nobody'" in result.usage_line()


def test_read_only_flag_cannot_make_keys_but_reads_them(db: Path) -> None:
    fresh = run_ecsimg("--read-only", "profile", "keys", "default", db=db)
    assert fresh.status == 0 and fresh.json()["Profile"] == "default"
    refused = run_ecsimg("--read-only", "profile", "keys", "default", "--sts", db=db)
    assert refused.status == 1 and refused.error()["Code"] == "Forbidden.ReadOnly"


def test_sts_keys_are_new_each_time_and_expire(db: Path) -> None:
    first = run_ecsimg("profile", "keys", "dev", "--sts", db=db).json()
    second = run_ecsimg("profile", "keys", "dev", "--sts", db=db).json()
    assert set(first) == {"Profile", "AccessKeyId", "AccessKeySecret", "SecurityToken",
                          "Expiration"}
    assert first["AccessKeyId"] != second["AccessKeyId"]
    assert first["AccessKeyId"].startswith("STS.")


def test_writes_are_shared_with_the_command_line(db: Path) -> None:
    served = start_server(db)
    try:
        client = typed_client(served, profile_keys(db, "default"))
        image_id = client.describe_images(sdk.DescribeImagesRequest(
            region_id=HZ, image_owner_alias="self", page_size=1)).body.images.image[0].image_id
        client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
            region_id=HZ, image_id=image_id, description="written over HTTP"))
        seen = cli_json(db, "api", "DescribeImages", "--ImageId", image_id)
        assert seen["Images"]["Image"][0]["Description"] == "written over HTTP"
        cli_json(db, "api", "ModifyImageAttribute", "--ImageId", image_id,
                 "--Description", "written by the command line")
        found = client.describe_images(sdk.DescribeImagesRequest(
            region_id=HZ, image_id=image_id)).body.images.image
        assert found[0].description == "written by the command line"
    finally:
        assert served.stop() == 0


def test_keys_made_while_serving_work_at_once(db: Path) -> None:
    served = start_server(db)
    try:
        sts = profile_keys(db, "partner", sts=True)
        regions = typed_client(served, sts).describe_regions(sdk.DescribeRegionsRequest())
        assert regions.body.regions.region
    finally:
        assert served.stop() == 0


def test_global_read_only_makes_every_profile_read_only(db: Path) -> None:
    served = start_server(db, args=("--read-only",))
    try:
        client = typed_client(served, profile_keys(db, "default"))
        images = client.describe_images(sdk.DescribeImagesRequest(
            region_id=HZ, image_owner_alias="self")).body.images.image
        with pytest.raises(ClientException) as raised:
            client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
                region_id=HZ, image_id=images[0].image_id, description="no"))
        assert (raised.value.code, raised.value.status_code) == ("Forbidden.ReadOnly", 403)
    finally:
        assert served.stop() == 0


def test_the_server_package_imports_no_store_and_no_ui() -> None:
    code = ("import sys, ecsimg.server.app, ecsimg.server.runner, ecsimg.server.endpoint; "
            "print(sorted(m for m in sys.modules if m.startswith(('ecsimg.store', 'tinydb', "
            "'textual', 'rich', 'ecsimg.service'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
