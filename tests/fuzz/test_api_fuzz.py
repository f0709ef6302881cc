"""Every action, thousands of times, with real and hostile parameters, as every demo profile.

Nothing but an ApiError may come out; after every call the catalogue's invariants hold, the
call wrote exactly its event, and no other account's records changed. `make test` runs a
fixed, derandomized sample; `make soak` runs the long campaign (ECSIMG_FUZZ_EXAMPLES calls).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ecsimg.domain import models as m
from ecsimg.service import ACTIONS
from ecsimg.service.images.visibility import alias_of
from ecsimg.store import tables
from tests.fuzz.catalogue import PROFILES, FuzzCatalogue, Outcome
from tests.fuzz.values import IdPool, request_params

ACTION_NAMES = sorted(ACTIONS)
MUTATING = sorted(name for name, act in ACTIONS.items() if act.mutating)
STEPS = 40
INSTANCE_TYPES = ("ecs.g7.large", "ecs.g8y.large", "ecs.t5-lc2m1.nano")
DEFAULT_CALLS_PER_ACTION = 40
DEFAULT_MACHINES = 25
CAMPAIGN_CALLS = int(os.environ.get("ECSIMG_FUZZ_EXAMPLES", "20000"))
"""Calls the long campaign makes: half action by action, half through the state machine."""

QUICK = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.filter_too_much])
LONG = settings(QUICK, derandomize=False)
STATS: dict[str, float] = {"calls": 0, "seconds": 0.0}


def checked(outcome: Outcome) -> Outcome:
    """Fail on anything a call must never do; names from the spec are never unknown."""
    assert not outcome.unknown_parameter, f"{outcome.action} refused {sorted(outcome.params)}"
    assert not outcome.problems, (outcome.action, outcome.profile, outcome.problems,
                                  {k: v[:80] for k, v in outcome.params.items()})
    return outcome


def _profile_and_mode() -> st.SearchStrategy[tuple[str, bool]]:
    """Mostly the three writable profiles, sometimes the read-only one or --read-only."""
    return st.sampled_from([
        *((profile, False) for profile in PROFILES * 6),
        *((profile, True) for profile in PROFILES),
        ("audit", False),
    ])


def fuzz_one_action(action: str, calls: int, config: settings) -> int:
    """``calls`` random calls of ``action`` on one catalogue that keeps what they did."""
    cat = FuzzCatalogue.in_temp(pace=0.05)
    act = ACTIONS[action]
    # Drawn from the IDs the catalogue started with: the same choices give the same request
    # whatever earlier examples deleted, and deleted IDs stay in play.
    pool = IdPool.of(cat)

    @settings(config, max_examples=calls)
    @given(data=st.data(), who=_profile_and_mode(), seconds=st.sampled_from([0, 0, 1, 30, 3600]))
    def run(data: st.DataObject, who: tuple[str, bool], seconds: int) -> None:
        cat.clock.now += seconds
        params = data.draw(request_params(act, pool), label="params")
        checked(cat.call(action, params, who[0], read_only=who[1]))
        assert not cat.violations()

    try:
        run()
        assert not cat.reopened_violations()
        return cat.calls
    finally:
        cat.remove()


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_every_action_answers_junk_with_api_errors_only(action: str) -> None:
    started = time.perf_counter()
    calls = fuzz_one_action(action, DEFAULT_CALLS_PER_ACTION, QUICK)
    STATS["calls"] += calls
    STATS["seconds"] += time.perf_counter() - started
    assert calls >= DEFAULT_CALLS_PER_ACTION


class CatalogueUnderAttack(RuleBasedStateMachine):
    """Three accounts sharing, copying, deleting and attacking one catalogue as time passes."""

    def __init__(self) -> None:
        super().__init__()
        self.cat = FuzzCatalogue.in_temp(pace=0.05)
        self.gone: list[str] = []
        for region in ("cn-hangzhou", "cn-shanghai", "ap-southeast-1"):
            (self.cat.root / "oss" / region / "exports").mkdir(parents=True, exist_ok=True)

    def teardown(self) -> None:
        try:
            assert not self.cat.reopened_violations()
        finally:
            STATS["calls"] += self.cat.calls
            self.cat.remove()

    # -- helpers -----------------------------------------------------------------------------

    def call(self, action: str, params: dict[str, str], profile: str,
             read_only: bool = False) -> Outcome:
        outcome = checked(self.cat.call(action, params, profile, read_only))
        if outcome.ok and action == "DeleteImage":
            self.gone.append(params["ImageId"])
        if outcome.ok and action == "DeleteInstance":
            self.gone.append(params["InstanceId"])
        return outcome

    def mine(self, table: tables.Table[Any], profile: str) -> list[Any]:
        account_id = self.cat.account_of(profile)
        return [r for r in self.cat.records(table) if r.owner_id == account_id]

    def visible_images(self, profile: str) -> list[m.Image]:
        account_id = self.cat.account_of(profile)
        return [i for i in self.cat.records(tables.IMAGES)
                if alias_of(i, account_id) is not None]

    # -- rules -------------------------------------------------------------------------------

    @initialize(pace=st.sampled_from([0.0, 0.05, 2.0]))
    def set_pace(self, pace: float) -> None:
        self.cat.pace = pace

    @rule(seconds=st.sampled_from([0.5, 1, 5, 30, 600, 86_400]))
    def advance_clock(self, seconds: float) -> None:
        self.cat.clock.now += seconds

    @rule(data=st.data(), who=_profile_and_mode(), action=st.sampled_from(ACTION_NAMES))
    def junk_call(self, data: st.DataObject, who: tuple[str, bool], action: str) -> None:
        params = data.draw(request_params(ACTIONS[action], IdPool.of(self.cat, self.gone)))
        self.call(action, params, who[0], who[1])

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def share(self, data: st.DataObject, profile: str) -> None:
        images = self.cat.own_images(profile)
        if not images:
            return
        image = data.draw(st.sampled_from(images))
        accounts = data.draw(st.lists(st.sampled_from(IdPool().accounts), min_size=1,
                                      max_size=12))
        params = {f"AddAccount.{n}": a for n, a in enumerate(accounts, 1)}
        self.call("ModifyImageSharePermission",
                  {"RegionId": image.region_id, "ImageId": image.image_id, **params}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def unshare(self, data: st.DataObject, profile: str) -> None:
        images = [i for i in self.cat.own_images(profile) if i.shares]
        if not images:
            return
        image = data.draw(st.sampled_from(images))
        accounts = data.draw(st.lists(st.sampled_from([s.account_id for s in image.shares]),
                                      min_size=1, max_size=12))
        params = {f"RemoveAccount.{n}": a for n, a in enumerate(accounts, 1)}
        self.call("ModifyImageSharePermission",
                  {"RegionId": image.region_id, "ImageId": image.image_id, **params}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES), public=st.booleans())
    def publish(self, data: st.DataObject, profile: str, public: bool) -> None:
        images = self.cat.own_images(profile)
        if images:
            image = data.draw(st.sampled_from(images))
            self.call("ModifyImageSharePermission",
                      {"RegionId": image.region_id, "ImageId": image.image_id,
                       "IsPublic": str(public).lower()}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES), from_instance=st.booleans())
    def create_image(self, data: st.DataObject, profile: str, from_instance: bool) -> None:
        source = self.mine(tables.INSTANCES if from_instance else tables.SNAPSHOTS, profile)
        if not source:
            return
        record = data.draw(st.sampled_from(source))
        key = "InstanceId" if from_instance else "SnapshotId"
        ident = record.instance_id if from_instance else record.snapshot_id
        self.call("CreateImage", {"RegionId": record.region_id, key: ident}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES),
          destination=st.sampled_from(["cn-hangzhou", "cn-shanghai", "ap-southeast-1",
                                       "cn-beijing", "nowhere-1"]))
    def copy_image(self, data: st.DataObject, profile: str, destination: str) -> None:
        images = [i for i in self.visible_images(profile) if i.owner_kind == "custom"]
        own = self.cat.own_images(profile)
        if own and data.draw(st.integers(0, 3)) > 0:
            images = own
        if images:
            image = data.draw(st.sampled_from(images))
            self.call("CopyImage", {"RegionId": image.region_id, "ImageId": image.image_id,
                                    "DestinationRegionId": destination}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES), force=st.booleans())
    def delete_image(self, data: st.DataObject, profile: str, force: bool) -> None:
        images = self.cat.own_images(profile)
        if images:
            image = data.draw(st.sampled_from(images))
            self.call("DeleteImage", {"RegionId": image.region_id, "ImageId": image.image_id,
                                      "Force": str(force).lower()}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES),
          action=st.sampled_from(["StopInstance", "StartInstance", "DeleteInstance"]),
          force=st.booleans())
    def instance_lifecycle(self, data: st.DataObject, profile: str, action: str,
                           force: bool) -> None:
        instances = self.mine(tables.INSTANCES, profile)
        if instances:
            inst = data.draw(st.sampled_from(instances))
            params = {"RegionId": inst.region_id, "InstanceId": inst.instance_id}
            if action == "DeleteInstance":
                params["Force"] = str(force).lower()
            self.call(action, params, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def run_instance(self, data: st.DataObject, profile: str) -> None:
        images = self.visible_images(profile)
        if images:
            image = data.draw(st.sampled_from(images))
            kind = data.draw(st.sampled_from(INSTANCE_TYPES))
            self.call("RunInstances", {"RegionId": image.region_id, "ImageId": image.image_id,
                                       "InstanceType": kind}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def replace_system_disk(self, data: st.DataObject, profile: str) -> None:
        instances = self.mine(tables.INSTANCES, profile)
        if not instances:
            return
        inst = data.draw(st.sampled_from(instances))
        images = [i for i in self.visible_images(profile) if i.region_id == inst.region_id]
        image_id = data.draw(st.sampled_from([i.image_id for i in images] or ["m-none"]))
        self.call("ReplaceSystemDisk", {"RegionId": inst.region_id,
                                        "InstanceId": inst.instance_id, "ImageId": image_id},
                  profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def snapshot_disk(self, data: st.DataObject, profile: str) -> None:
        disks = self.mine(tables.DISKS, profile)
        if disks:
            disk = data.draw(st.sampled_from(disks))
            self.call("CreateSnapshot", {"RegionId": disk.region_id, "DiskId": disk.disk_id},
                      profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def export_image(self, data: st.DataObject, profile: str) -> None:
        images = self.cat.own_images(profile)
        if images:
            image = data.draw(st.sampled_from(images))
            self.call("ExportImage", {"RegionId": image.region_id, "ImageId": image.image_id,
                                      "OSSBucket": "exports"}, profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES))
    def cancel(self, data: st.DataObject, profile: str) -> None:
        copies = [i for i in self.cat.own_images(profile) if i.is_copied]
        tasks = self.mine(tables.TASKS, profile)
        cancel_copy: bool = data.draw(st.booleans())
        if copies and cancel_copy:
            image = data.draw(st.sampled_from(copies))
            self.call("CancelCopyImage", {"RegionId": image.region_id,
                                          "ImageId": image.image_id}, profile)
        elif tasks:
            task = data.draw(st.sampled_from(tasks))
            self.call("CancelTask", {"RegionId": task.region_id, "TaskId": task.task_id},
                      profile)

    @rule(data=st.data(), profile=st.sampled_from(PROFILES), action=st.sampled_from(MUTATING))
    def attack_another_account(self, data: st.DataObject, profile: str, action: str) -> None:
        """A mutating call naming another account's real image, instance, disk or snapshot."""
        account_id = self.cat.account_of(profile)
        theirs = {
            "ImageId": [i for i in self.cat.records(tables.IMAGES) if i.owner_id != account_id],
            "InstanceId": [i for i in self.cat.records(tables.INSTANCES)
                           if i.owner_id != account_id],
            "DiskId": [d for d in self.cat.records(tables.DISKS) if d.owner_id != account_id],
            "SnapshotId": [s for s in self.cat.records(tables.SNAPSHOTS)
                           if s.owner_id != account_id],
        }
        names = {p.name for p in ACTIONS[action].params}
        keys = [k for k in theirs if k in names and theirs[k]]
        if not keys:
            return
        key = data.draw(st.sampled_from(keys))
        record = data.draw(st.sampled_from(theirs[key]))
        params = {"RegionId": record.region_id, key: getattr(record, _FIELD[key])}
        if action == "ModifyImageSharePermission":
            params["AddAccount.1"] = account_id
        if action == "ExportImage":
            params["OSSBucket"] = "exports"
        self.call(action, params, profile)

    @invariant()
    def catalogue_holds(self) -> None:
        assert not self.cat.violations()


_FIELD = {"ImageId": "image_id", "InstanceId": "instance_id", "DiskId": "disk_id",
          "SnapshotId": "snapshot_id"}


def test_catalogue_under_attack_keeps_its_invariants() -> None:
    started = time.perf_counter()
    run_state_machine_as_test(
        CatalogueUnderAttack,
        settings=settings(QUICK, max_examples=DEFAULT_MACHINES, stateful_step_count=STEPS),
    )
    STATS["seconds"] += time.perf_counter() - started


@pytest.mark.slow
def test_long_campaign_every_action() -> None:
    """Half of ECSIMG_FUZZ_EXAMPLES calls, spread over every action."""
    per_action = max(1, CAMPAIGN_CALLS // 2 // len(ACTION_NAMES))
    started = time.perf_counter()
    total = sum(fuzz_one_action(action, per_action, LONG) for action in ACTION_NAMES)
    print(f"\nlong campaign, action by action: {total} calls in "
          f"{time.perf_counter() - started:.1f} s")


@pytest.mark.slow
def test_long_campaign_under_attack() -> None:
    """The other half through the state machine, STEPS calls per run."""
    machines = max(1, CAMPAIGN_CALLS // 2 // STEPS)
    before = STATS["calls"]
    started = time.perf_counter()
    run_state_machine_as_test(
        CatalogueUnderAttack,
        settings=settings(LONG, max_examples=machines, stateful_step_count=STEPS),
    )
    print(f"\nlong campaign, state machine: {STATS['calls'] - before:.0f} calls in "
          f"{time.perf_counter() - started:.1f} s")
