"""Cloud mode against ``ecsimg serve`` in fault mode: retries within the bound, never a
mutation twice unless its ClientToken makes the second copy harmless."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
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
from tests.server.harness import Keys

REGION = "cn-hangzhou"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Keys]:
    return keyed_catalogue(tmp_path_factory.mktemp("faults"))


def serve_with(template: tuple[Path, Keys], folder: Path, *fault_args: str) -> Account:
    db = copy_catalogue(template[0], folder)
    return open_account(db, template[1], folder, serve_args=fault_args)


def seed_where(wanted: Callable[[list[float]], bool], draws: int) -> int:
    """A --fault-seed whose first draws (one per request, in order) are as ``wanted``."""
    for seed in range(10_000):
        generator = random.Random(seed)
        if wanted([generator.random() for _ in range(draws)]):
            return seed
    raise AssertionError("no such seed")


def faults_made(account: Account) -> dict[str, int]:
    """The counts ``ecsimg serve`` reports when it stops."""
    assert account.served.stop() == 0
    found = re.search(r"faults made: (\d+) throttled, (\d+) 5xx, (\d+) dropped",
                      account.served.stderr())
    assert found is not None, account.served.stderr()
    throttled, errors, dropped = (int(n) for n in found.groups())
    return {"throttled": throttled, "5xx": errors, "dropped": dropped}


def test_sync_under_throttling_errors_and_drops_still_reads_everything(
        template: tuple[Path, Keys], tmp_path: Path) -> None:
    account = serve_with(template, tmp_path, "--fault-throttle", "0.15", "--fault-retry-after",
                         "20", "--fault-5xx", "0.1", "--fault-drop", "0.05", "--fault-latency",
                         "2", "--fault-seed", "7")
    try:
        # One call at a time, so the seeded faults fall on the same requests every run.
        result = account.cloud("sync", "--RegionId", REGION, "--workers", "1")
        assert result.status == 0, result.err
        assert set(account.cached_images(REGION)) == served_image_ids(account, REGION)
    finally:
        made = faults_made(account)
    assert made["throttled"] > 0 and made["5xx"] > 0, made


def test_a_mutation_without_client_token_is_never_sent_twice(
        template: tuple[Path, Keys], tmp_path: Path) -> None:
    # Request 1 (GetCallerIdentity) is answered; request 2, the edit, runs and its answer is lost.
    seed = seed_where(lambda d: d[0] >= 0.5 and d[1] < 0.5, 2)
    account = serve_with(template, tmp_path, "--fault-drop", "0.5", "--fault-seed", str(seed))
    try:
        own = account.served_api("DescribeImages", "--RegionId", REGION,
                                 "--ImageOwnerAlias", "self")["Images"]["Image"][0]["ImageId"]
        result = account.cloud("api", "ModifyImageAttribute", "--RegionId", REGION,
                               "--ImageId", own, "--ImageName", "edited-once")
        assert result.status == 1
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        assert "ModifyImageAttribute may have been applied" in lines[0]
        edits = [e for e in open_backend(str(account.served.db)).events(200)
                 if e.action == "ModifyImageAttribute" and e.params.get("ImageId") == own]
        assert len(edits) == 1
        assert edits[0].params["ImageName"] == "edited-once"
    finally:
        assert faults_made(account)["dropped"] >= 1


def test_a_mutation_with_client_token_is_retried_and_runs_once(
        template: tuple[Path, Keys], tmp_path: Path) -> None:
    # GetCallerIdentity answered; CreateImage runs and its answer is lost; the retry, with the
    # same ClientToken, is answered with the same image.
    seed = seed_where(lambda d: d[0] >= 0.5 and d[1] < 0.5 and all(x >= 0.5 for x in d[2:]), 6)
    account = serve_with(template, tmp_path, "--fault-drop", "0.5", "--fault-seed", str(seed))
    try:
        instance = account.served_api("DescribeInstances", "--RegionId", REGION
                                      )["Instances"]["Instance"][0]["InstanceId"]
        result = account.cloud("api", "CreateImage", "--RegionId", REGION,
                               "--InstanceId", instance, "--ImageName", "created-once")
        assert result.status == 0, result.err
        image_id = result.json()["ImageId"]
        named = account.served_api("DescribeImages", "--RegionId", REGION, "--ImageName",
                                   "created-once", "--Status", "Creating,Available")
        assert [i["ImageId"] for i in named["Images"]["Image"]] == [image_id]
    finally:
        assert faults_made(account)["dropped"] == 1


def test_throttled_without_end_gives_the_api_error_after_the_bound(
        template: tuple[Path, Keys], tmp_path: Path) -> None:
    account = serve_with(template, tmp_path, "--fault-throttle", "1", "--fault-retry-after",
                         "10")
    try:
        result = account.cloud("api", "DescribeRegions")
        assert result.status == 1
        line = result.err.strip()
        assert "Throttling.User" in line and "\n" not in line
    finally:
        made = faults_made(account)
    # GetCallerIdentity was tried within the bound: five sends in all, no more.
    assert made["throttled"] == 5
