"""A real account's image quota: unknown to the cache, so the real DryRun checks it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecsimg.bootstrap import open_backend
from ecsimg.cloud.backend import CloudBackend
from ecsimg.domain.errors import ApiError
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.cloud.account import Account, keyed_catalogue, open_account

REGION = "cn-hangzhou"
ALL_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"
DEFAULT_ACCOUNT = "1234567890123456"
"""The account of the demo catalogue's default profile, whose keys the account uses."""


def _set_quota(db: Path, account_id: str, quota: int) -> None:
    """The served account's quota, as its owner would have it raised or lowered."""
    repo = TinyRepository(db)
    try:
        with repo.transaction() as tx:
            account = tx.get(tables.ACCOUNTS, account_id)
            assert account is not None
            tx.put(tables.ACCOUNTS, dataclasses.replace(account, image_quota=quota))
    finally:
        repo.close()


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    """A served account holding exactly its quota of custom images in REGION, synced."""
    folder = tmp_path_factory.mktemp("quota")
    db, keys = keyed_catalogue(folder)
    probe = open_account(db, keys, folder)
    held = probe.served_api("DescribeImages", "--RegionId", REGION, "--ImageOwnerAlias",
                            "self", "--Status", ALL_STATUSES, "--PageSize", "1")["TotalCount"]
    probe.served.stop()
    _set_quota(db, DEFAULT_ACCOUNT, held)
    opened = open_account(db, keys, folder)
    synced = opened.cloud("sync", "--RegionId", REGION)
    assert synced.status == 0, synced.err
    yield opened
    if opened.served.proc.poll() is None:
        opened.served.stop()


def _cloud(account: Account, monkeypatch: pytest.MonkeyPatch) -> CloudBackend:
    monkeypatch.setenv("HOME", str(account.home))
    monkeypatch.setenv("XDG_DATA_HOME", str(account.data))
    backend = open_backend(cloud="default", endpoint=account.url)
    assert isinstance(backend, CloudBackend)
    return backend


def _create(backend: CloudBackend, account: Account) -> tuple[str, dict[str, str]]:
    instance = account.served_api("DescribeInstances", "--RegionId", REGION
                                  )["Instances"]["Instance"][0]["InstanceId"]
    return "CreateImage", {"RegionId": REGION, "InstanceId": instance,
                           "ImageName": "one-too-many"}


def test_the_cache_holds_no_image_quota(full: Account, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    backend = _cloud(full, monkeypatch)
    with backend.ctx.repo.read() as view:
        account = view.get(tables.ACCOUNTS, backend.session.account_id)
    assert backend.session.account_id == DEFAULT_ACCOUNT
    assert account is not None and account.image_quota is None


def test_a_full_quota_is_the_real_dry_runs_answer(full: Account,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _cloud(full, monkeypatch)
    call = _create(backend, full)
    with pytest.raises(ApiError) as refused:
        backend.check([call])
    assert refused.value.code == "QuotaExceed.Image"
    assert refused.value.call_index == 0
    # The same check offline is the local rules alone: they know no quota, so they pass it.
    full.served.stop()
    backend.check([call])
    assert backend.session.offline_reason


def test_an_account_allowed_more_than_100_images_is_not_held_to_100(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, keys = keyed_catalogue(tmp_path)
    held = _hold_images(db, DEFAULT_ACCOUNT, 120)
    _set_quota(db, DEFAULT_ACCOUNT, 300)
    account = open_account(db, keys, tmp_path)
    try:
        synced = account.cloud("sync", "--RegionId", REGION)
        assert synced.status == 0, synced.err
        assert len([i for i in account.cached_images(REGION).values()
                    if i.owner_id == DEFAULT_ACCOUNT and i.owner_kind == "custom"]) == held
        backend = _cloud(account, monkeypatch)
        call = _create(backend, account)
        backend.check([call])  # the local rules and the real DryRun both pass it
        made = backend.call(*call)
        assert made["ImageId"] in account.cached_images(REGION)
    finally:
        account.served.stop()


def _hold_images(db: Path, account_id: str, at_least: int) -> int:
    """Copies of one of the account's images until it holds ``at_least`` in REGION."""
    from ecsimg.domain.ids import IdFactory

    ids = IdFactory()
    repo = TinyRepository(db)
    try:
        with repo.transaction() as tx:
            own = [i for i in tx.group(tables.IMAGES, REGION)
                   if i.owner_kind == "custom" and i.owner_id == account_id]
            for number in range(at_least - len(own)):
                tx.put(tables.IMAGES, dataclasses.replace(
                    own[0], image_id=ids.image(), image_name=f"held-{number:03}",
                    image_family="", shares=()))
        return max(at_least, len(own))
    finally:
        repo.close()


def test_a_cache_from_before_holds_no_quota_once_opened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, keys = keyed_catalogue(tmp_path)
    account = open_account(db, keys, tmp_path)
    try:
        backend = _cloud(account, monkeypatch)
        account_id = backend.session.account_id
        repo = backend.ctx.repo
        # An older cache wrote the default quota of 100 into its account record.
        with repo.transaction() as tx:
            record = tx.get(tables.ACCOUNTS, account_id)
            assert record is not None
            tx.put(tables.ACCOUNTS, dataclasses.replace(record, image_quota=100))
        repo.close()
        reopened = _cloud(account, monkeypatch)
        with reopened.ctx.repo.read() as view:
            settled = view.get(tables.ACCOUNTS, account_id)
        assert settled is not None and settled.image_quota is None
    finally:
        account.served.stop()
