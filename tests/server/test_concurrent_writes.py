"""Concurrent writers on a real ``ecsimg serve``: committed together, acknowledged only once
durable, each with its own RequestId, event and error."""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path

import pytest
from alibabacloud_ecs20140526 import models as sdk
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException

from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.server.conftest import copy_of
from tests.server.harness import Keys, Served, profile_keys, start_server, typed_client
from tests.store.index_checks import index_disagreements

HZ = "cn-hangzhou"
WRITERS = 8
ACCOUNTS = [f"60000000000000{n:02d}" for n in range(10, 10 + WRITERS)]


@pytest.fixture
def db(keyed_template: Path, tmp_path: Path) -> Path:
    return copy_of(keyed_template, tmp_path)


def _own_images(client: Client) -> list[str]:
    found = client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, image_owner_alias="self", page_size=100)).body.images.image
    return [image.image_id for image in found]


def _shareable(client: Client, image_ids: list[str]) -> list[str]:
    usable = []
    for image_id in image_ids:
        try:
            client.modify_image_share_permission(sdk.ModifyImageSharePermissionRequest(
                region_id=HZ, image_id=image_id, add_account=[ACCOUNTS[0]], dry_run=True))
        except ClientException as err:
            if err.code == "DryRunOperation":
                usable.append(image_id)
    return usable


def _events(db: Path) -> dict[str, str]:
    with TinyRepository(db).read() as view:
        return {event.request_id: event.code for event in view.all(tables.EVENTS)}


def test_concurrent_shares_each_keep_their_request_id_event_and_error(db: Path) -> None:
    keys = profile_keys(db, "default")
    served = start_server(db)
    try:
        images = _shareable(typed_client(served, keys), _own_images(typed_client(served, keys)))
        assert images, "the demo catalogue has no shareable image"
        succeeded: dict[str, tuple[str, str]] = {}  # RequestId -> (image, account)
        failed: dict[str, str] = {}  # RequestId -> code
        lock = threading.Lock()

        def writer(number: int) -> None:
            client = typed_client(served, keys)
            image_id, account = images[number % len(images)], ACCOUNTS[number]
            for round_number in range(6):
                if number % 4 == 3 and round_number % 2 == 0:
                    # A call that fails its rules, in the middle of the others' batches.
                    try:
                        client.modify_image_share_permission(
                            sdk.ModifyImageSharePermissionRequest(
                                region_id=HZ, image_id="m-doesnotexist0000000",
                                add_account=[account]))
                    except ClientException as err:
                        with lock:
                            failed[err.request_id] = err.code
                    continue
                verb = {"add_account" if round_number % 2 == 0 else "remove_account": [account]}
                reply = client.modify_image_share_permission(
                    sdk.ModifyImageSharePermissionRequest(region_id=HZ, image_id=image_id,
                                                          **verb))
                with lock:
                    succeeded[reply.body.request_id] = (image_id, account)
            client.modify_image_share_permission(sdk.ModifyImageSharePermissionRequest(
                region_id=HZ, image_id=image_id, add_account=[account]))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        client = typed_client(served, keys)
        for number in range(WRITERS):
            image_id = images[number % len(images)]
            shared = client.describe_image_share_permission(
                sdk.DescribeImageSharePermissionRequest(region_id=HZ, image_id=image_id))
            accounts = {a.aliyun_id for a in shared.body.accounts.account}
            assert ACCOUNTS[number] in accounts
    finally:
        assert served.stop() == 0
    assert failed and set(failed.values()) == {"InvalidImageId.NotFound"}
    assert len(succeeded) == sum(6 if n % 4 != 3 else 3 for n in range(WRITERS))
    assert not set(succeeded) & set(failed)
    events = _events(db)
    assert all(events.get(request_id) == "Success" for request_id in succeeded)
    assert all(events.get(request_id) == code for request_id, code in failed.items())


def _writer(served: Served, keys: Keys, image_id: str, prefix: str, acknowledged: list[int],
            stop: threading.Event) -> None:
    """Set the image's description to ``prefix`` 1, 2, 3, ... and note each acknowledged."""
    client = typed_client(served, keys, read_timeout=30000, connect_timeout=5000)
    number = 0
    while not stop.is_set():
        number += 1
        try:
            client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
                region_id=HZ, image_id=image_id, description=f"{prefix}{number}"))
        except Exception:  # the server was killed: this write may or may not stand
            return
        acknowledged.append(number)


def test_every_acknowledged_write_survives_a_sigkill_of_the_server(db: Path) -> None:
    keys = profile_keys(db, "default")
    rng = random.Random(7)
    for round_number in range(3):
        prefix = f"round {round_number} write "
        served = start_server(db)
        images = _own_images(typed_client(served, keys))[:WRITERS]
        assert len(images) >= 4
        acknowledged: dict[str, list[int]] = {image_id: [] for image_id in images}
        stop = threading.Event()
        threads = [threading.Thread(target=_writer, args=(served, keys, image_id, prefix,
                                                          acknowledged[image_id], stop))
                   for image_id in images]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(1.0, 2.5))
        served.proc.send_signal(signal.SIGKILL)
        served.proc.wait(30)
        stop.set()
        for thread in threads:
            thread.join(60)
        assert sum(len(done) for done in acknowledged.values()) > 0
        with TinyRepository(db).read() as view:
            for image_id, done in acknowledged.items():
                image = view.get(tables.IMAGES, f"{HZ}/{image_id}")
                assert image is not None
                last = done[-1] if done else 0
                # The write in flight at the kill may stand or not; every one before it does.
                allowed = {f"{prefix}{last + 1}"} | ({f"{prefix}{last}"} if last else set())
                assert image.description in allowed or (
                    last == 0 and not image.description.startswith(prefix)), (
                    image_id, image.description, last)
        assert index_disagreements(db) == []
