"""Cloud mode end to end: ``ecsimg --cloud default`` against a real ``ecsimg serve``.

The served catalogue plays the account; a temporary HOME holds an aliyun CLI config.json
whose AK profile has the keys ``ecsimg profile keys default`` printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecsimg.bootstrap import open_backend
from tests.cloud.account import (
    Account,
    copy_catalogue,
    keyed_catalogue,
    open_account,
    served_image_ids,
)
from tests.cloud.conftest import ak_profile
from tests.server.harness import Keys, profile_keys

REGION = "cn-hangzhou"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Keys]:
    return keyed_catalogue(tmp_path_factory.mktemp("account"))


@pytest.fixture(scope="module")
def account(template: tuple[Path, Keys], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Account]:
    folder = tmp_path_factory.mktemp("cloud")
    db = copy_catalogue(template[0], folder)
    opened = open_account(db, template[1], folder)
    synced = opened.cloud("sync", "--RegionId", REGION)
    assert synced.status == 0, synced.err
    yield opened
    assert opened.served.stop() == 0


def own_image(account: Account) -> str:
    body = account.served_api("DescribeImages", "--RegionId", REGION, "--ImageOwnerAlias", "self")
    image_id: str = body["Images"]["Image"][0]["ImageId"]
    return image_id


def test_sync_caches_the_images_the_served_catalogue_shows(account: Account) -> None:
    cached = account.cached_images(REGION)
    assert set(cached) == served_image_ids(account, REGION)
    assert len(cached) > 10
    # Only the region asked for was synced.
    assert account.cached_images("cn-beijing") == {}


def test_api_in_cloud_mode_prints_the_real_response(account: Account) -> None:
    result = account.cloud("api", "DescribeImages", "--RegionId", REGION,
                           "--ImageOwnerAlias", "self", "--PageSize", "100")
    assert result.status == 0, result.err
    through_cloud = result.json()
    direct = account.served_api("DescribeImages", "--RegionId", REGION,
                                "--ImageOwnerAlias", "self", "--PageSize", "100")
    assert [i["ImageId"] for i in through_cloud["Images"]["Image"]] == \
        [i["ImageId"] for i in direct["Images"]["Image"]]
    assert through_cloud["TotalCount"] == direct["TotalCount"]


def test_api_errors_keep_the_contract(account: Account) -> None:
    missing = account.cloud("api", "DescribeImageSharePermission", "--RegionId", REGION,
                            "--ImageId", "m-doesnotexist000000")
    assert missing.status == 1
    error = missing.error()
    assert error["Code"].startswith("InvalidImageId")
    assert error["RequestId"]
    usage = account.cloud("api", "DescribeImages", "--NoSuchParameter", "1")
    assert "NoSuchParameter" in usage.usage_line()


def test_an_edit_made_in_cloud_mode_reaches_the_account_and_the_cache(account: Account) -> None:
    image_id = own_image(account)
    result = account.cloud("api", "ModifyImageAttribute", "--RegionId", REGION,
                           "--ImageId", image_id, "--ImageName", "renamed-through-cloud")
    assert result.status == 0, result.err
    served = account.served_api("DescribeImages", "--RegionId", REGION, "--ImageId", image_id)
    assert served["Images"]["Image"][0]["ImageName"] == "renamed-through-cloud"
    assert account.cached_images(REGION)[image_id].image_name == "renamed-through-cloud"


def test_a_share_made_in_cloud_mode_reaches_the_account_and_the_cache(account: Account) -> None:
    partner = open_backend(str(account.served.db), "partner").session.account_id
    image_id = own_image(account)
    result = account.cloud("api", "ModifyImageSharePermission", "--RegionId", REGION,
                           "--ImageId", image_id, "--AddAccount.1", partner)
    assert result.status == 0, result.err
    shares = account.served_api("DescribeImageSharePermission", "--RegionId", REGION,
                                "--ImageId", image_id)
    assert partner in [a["AliyunId"] for a in shares["Accounts"]["Account"]]
    cached = account.cached_images(REGION)[image_id]
    assert partner in [s.account_id for s in cached.shares]


def test_an_image_created_in_cloud_mode_reaches_the_account_and_the_cache(
        account: Account) -> None:
    instances = account.served_api("DescribeInstances", "--RegionId", REGION)
    instance_id = instances["Instances"]["Instance"][0]["InstanceId"]
    result = account.cloud("api", "CreateImage", "--RegionId", REGION,
                           "--InstanceId", instance_id, "--ImageName", "made-through-cloud")
    assert result.status == 0, result.err
    image_id = result.json()["ImageId"]
    served = account.served_api("DescribeImages", "--RegionId", REGION, "--ImageId", image_id,
                                "--Status", "Creating,Available")
    assert served["Images"]["Image"][0]["ImageName"] == "made-through-cloud"
    assert account.cached_images(REGION)[image_id].image_name == "made-through-cloud"


def test_no_secret_reaches_any_file_of_the_cache(account: Account, template: tuple[Path, Keys],
                                                 tmp_path: Path) -> None:
    keys = template[1]
    # An StsToken profile too: its token must not be written either.
    sts = profile_keys(account.served.db, "default", sts=True)
    sts_home = tmp_path / "sts-home"
    sts_home.mkdir()
    from tests.cloud.conftest import write_config

    write_config(sts_home, [ak_profile("temp", mode="StsToken", access_key_id=sts.access_key_id,
                                       access_key_secret=sts.secret, sts_token=sts.token)],
                 current="temp")
    sts_account = Account(account.served, sts_home, account.data, profile="temp")
    synced = sts_account.cloud("sync", "--RegionId", REGION, profile="temp")
    assert synced.status == 0, synced.err
    secrets = [keys.secret, sts.secret, sts.token]
    files = [p for p in (account.data / "ecsimg").rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, path


def test_sync_of_an_unknown_region_fails_that_region_and_keeps_the_others(
        account: Account) -> None:
    result = account.cloud("sync", "--RegionId", f"{REGION},nowhere-9")
    assert result.status == 1
    assert "nowhere-9: not a region of this account" in result.err
    assert "synced 1 region " in result.out
    assert len(account.cached_images(REGION)) > 10


def test_offline_api_and_sync_give_one_line(account: Account) -> None:
    from tests.cloud.helpers import free_port

    url = f"http://127.0.0.1:{free_port()}"
    for args in (("api", "DescribeRegions"), ("sync",)):
        result = account.cloud(*args, endpoint=url)
        assert result.status == 1
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        assert "connection refused" in lines[0]
        assert result.out == ""


def test_the_default_credential_chain_serves_cloud_env(account: Account,
                                                       template: tuple[Path, Keys]) -> None:
    keys = template[1]
    env = {**account.env(), "ALIBABA_CLOUD_ACCESS_KEY_ID": keys.access_key_id,
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": keys.secret, "ALIBABA_CLOUD_REGION_ID": REGION}
    from tests.cli.runner import run_ecsimg

    result = run_ecsimg("--cloud", "env", "--endpoint", account.url, "api", "DescribeRegions",
                        db=account.data / "unused-demo", env=env)
    assert result.status == 0, result.err
    assert REGION in [r["RegionId"] for r in result.json()["Regions"]["Region"]]
    assert (account.data / "ecsimg" / "cloud" /
            f"env@{account.served.endpoint.replace(':', '-')}").is_dir()


def test_demo_only_commands_and_mixed_options_are_refused_in_one_line(
        account: Account, tmp_path: Path) -> None:
    saved = tmp_path / "images.json"
    saved.write_text('{"RegionId": "cn-hangzhou", "Images": {"Image": []}}')
    loaded = account.cloud("load", str(saved))
    assert loaded.status == 1
    assert loaded.err.strip() == "ecsimg: LoadImages works on the demo catalogue, not in " \
        "cloud mode"
    mixed = account.cloud("--profile", "dev", "api", "DescribeRegions")
    assert "--profile" in mixed.usage_line()
    from tests.cli.runner import run_ecsimg

    demo = run_ecsimg("sync", db=tmp_path / "demo")
    assert "--cloud NAME" in demo.usage_line()


def test_serve_documents_its_fault_mode(tmp_path: Path) -> None:
    from tests.cli.runner import run_ecsimg

    shown = run_ecsimg("serve", "--help", db=tmp_path / "catalogue")
    assert shown.status == 0
    for option in ("--fault-throttle", "--fault-retry-after", "--fault-5xx", "--fault-drop",
                   "--fault-latency", "--fault-seed"):
        assert option in shown.out
