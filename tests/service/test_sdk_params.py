"""Every parameter name the official SDK sends is accepted; the unmodelled ones do nothing."""

from __future__ import annotations

import contextlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ecsimg import service
from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.sdk_params import SDK_PARAMS
from ecsimg.store import tables
from tests.world import Storage, World

ROOT = Path(__file__).resolve().parents[2]
_N = re.compile(r"(?<=\.)N(?=\.|\Z)")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_sdk_params",
                                                  ROOT / "scripts" / "gen_sdk_params.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wire(name: str, index: int = 1) -> str:
    """A concrete wire name for a table name: every ``N`` becomes ``index``."""
    return _N.sub(str(index), name)


def sample(kind: str) -> str:
    return {"int": "3", "bool": "true", "float": "1.5"}.get(kind, "sample-value")


def ignored_params(action: str) -> list[Param]:
    return [p for p in service.ACTIONS[action].params if p.ignored]


def test_the_table_is_what_the_installed_sdk_sends() -> None:
    generated = _generator().render(list(service.ACTIONS))
    table_file = ROOT / "src" / "ecsimg" / "service" / "machinery" / "sdk_params.py"
    table = table_file.read_text(encoding="utf-8")
    assert generated == table, "run scripts/gen_sdk_params.py: the SDK's names changed"


def test_every_action_exists_in_the_sdk_and_known_names_are_in_the_table() -> None:
    assert set(SDK_PARAMS) == set(service.ACTIONS)
    run = SDK_PARAMS["RunInstances"]
    assert len(run) == 138
    for name in ("DataDisk.N.Size", "Tag.N.Key", "SecurityGroupIds.N", "SystemDisk.Category",
                 "NetworkInterface.N.SecurityGroupIds.N", "UserData"):
        assert name in run
    assert run["DataDisk.N.Size"] == "int" and run["DataDisk.N.DeleteWithInstance"] == "bool"
    assert "RegionId" not in SDK_PARAMS["StopInstance"]


@pytest.mark.parametrize("action", sorted(SDK_PARAMS))
def test_every_sdk_name_is_accepted(world: World, action: str) -> None:
    """Each name alone with a value of its kind is parsed; a read-only profile stops mutations
    right after the parameters are checked, so nothing runs."""
    ctx = world.ctx(read_only=True)
    for name, kind in SDK_PARAMS[action].items():
        for index in (1, 2, 17):
            params = {wire(name, index): sample(kind)}
            # A value the rules refuse is still an accepted name: only UnknownParameter fails.
            with contextlib.suppress(ApiError):
                service.call(ctx, action, params)


@pytest.mark.parametrize("name", ["Bogus", "Tag.0.Key", "Tag.01.Key", "Tag.1", "DataDisk.N.Size",
                                  "DataDisk.1.Bogus", "NetworkInterface.1.SecurityGroupIds",
                                  "Tag.1000000.Key", "tag.1.key"])
def test_unknown_names_are_refused(world: World, name: str) -> None:
    with pytest.raises(service.UnknownParameter):
        world.call("RunInstances", {name: "x", "InstanceType": "ecs.g7.large"})


def _all_ignored(action: str) -> dict[str, str]:
    return {wire(p.name, 2): sample(_kind_name(p)) for p in ignored_params(action)}


def _kind_name(param: Param) -> str:
    return {int: "int", bool: "bool", float: "float"}.get(param.kind, "str")


def _without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "RequestId"}


READ_ACTIONS_WITH_IGNORED = sorted(
    name for name in ("DescribeInstances", "DescribeDisks", "DescribeSnapshots", "DescribeImages",
                      "DescribePrice", "DescribeInstanceTypes", "DescribeRegions")
    if ignored_params(name)
)


def test_the_reads_that_matter_have_ignored_names() -> None:
    assert {"DescribeInstances", "DescribeDisks", "DescribeSnapshots",
            "DescribePrice"} <= set(READ_ACTIONS_WITH_IGNORED)


@pytest.mark.parametrize("action", READ_ACTIONS_WITH_IGNORED)
def test_ignored_names_change_no_reply(world: World, action: str) -> None:
    image = world.image(size=40, data_disks=(100,))
    world.instance(image_id=image.image_id)
    base: dict[str, str] = {}
    if action == "DescribePrice":
        base = {"InstanceType": "ecs.g7.large", "ImageId": image.image_id}
    plain = world.call(action, base)
    loaded = world.call(action, {**base, **_all_ignored(action)})
    assert _without_request_id(loaded) == _without_request_id(plain)


def _state(world: World) -> dict[str, list[str]]:
    watched: tuple[tables.Table[Any], ...] = (
        tables.INSTANCES, tables.DISKS, tables.SNAPSHOTS, tables.IMAGES)
    with world.repo.read() as view:
        return {t.name: sorted(map(repr, view.all(t))) for t in watched}


@pytest.mark.parametrize("action", ["RunInstances", "CreateSnapshot", "ReplaceSystemDisk"])
def test_ignored_names_change_nothing_written(tmp_path: Path, storage: Storage,
                                              action: str) -> None:
    """The same call with and without every ignored name leaves identical catalogues."""
    states = []
    for label, extra in (("plain", False), ("loaded", True)):
        world = World(tmp_path / label, storage=storage)
        image = world.image(size=40)
        inst = world.instance(image_id=image.image_id)
        params: dict[str, str] = {
            "RunInstances": {"ImageId": image.image_id, "InstanceType": "ecs.g7.large"},
            "CreateSnapshot": {"DiskId": inst.system_disk_id},
            "ReplaceSystemDisk": {"InstanceId": inst.instance_id, "ImageId": image.image_id},
        }[action]
        if extra:
            params = {**params, **_all_ignored(action)}
        world.call(action, params)
        states.append(_state(world))
    assert states[0] == states[1]


REGIONLESS = sorted(name for name, names in SDK_PARAMS.items() if "RegionId" not in names)


def test_the_regionless_actions_are_the_ones_the_wire_notes_list() -> None:
    listed = ["CreateSnapshot", "DeleteInstance", "DescribeInstanceTypes", "DescribeRegions",
              "ReInitDisk", "ReplaceSystemDisk", "StartInstance", "StopInstance"]
    assert listed == REGIONLESS


def test_regionless_handlers_never_read_region_id(world: World) -> None:
    """Run straight on a request with no RegionId at all, as the SDK sends them."""
    image = world.image(size=40, region="cn-shanghai")

    def stopped() -> m.Instance:
        return world.instance(image_id=image.image_id, region="cn-shanghai")

    running = world.instance(image_id=image.image_id, region="cn-shanghai", status="Running")
    calls = {
        "StopInstance": {"InstanceId": running.instance_id},
        "StartInstance": {"InstanceId": stopped().instance_id},
        "CreateSnapshot": {"DiskId": stopped().system_disk_id},
        "ReplaceSystemDisk": {"InstanceId": stopped().instance_id, "ImageId": image.image_id},
        "ReInitDisk": {"DiskId": stopped().system_disk_id},
        "DeleteInstance": {"InstanceId": stopped().instance_id},
        "DescribeInstanceTypes": {},
        "DescribeRegions": {},
    }
    assert sorted(calls) == REGIONLESS
    ctx = world.ctx()
    for action, params in calls.items():
        act = service.ACTIONS[action]
        with world.repo.transaction() as tx:
            body = act.handler(ctx, Request(action, act.params, params), tx)
        assert isinstance(body, dict), action


def test_regionless_actions_work_without_region_id(world: World) -> None:
    """The SDK sends no RegionId for these; they act on the resource wherever it is."""
    image = world.image(size=40, region="cn-shanghai")
    inst = world.instance(image_id=image.image_id, region="cn-shanghai", status="Running")
    ctx = world.ctx("default")  # the profile's region is cn-hangzhou
    assert ctx.region_id != "cn-shanghai"
    for action, params in (
        ("StopInstance", {"InstanceId": inst.instance_id}),
        ("CreateSnapshot", {"DiskId": inst.system_disk_id}),
        ("ReplaceSystemDisk", {"InstanceId": inst.instance_id, "ImageId": image.image_id}),
        ("StartInstance", {"InstanceId": inst.instance_id}),
        ("DescribeRegions", {}),
        ("DescribeInstanceTypes", {}),
    ):
        assert "RegionId" not in SDK_PARAMS[action]
        service.call(world.ctx("default"), action, params)
