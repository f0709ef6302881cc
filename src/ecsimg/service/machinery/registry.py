"""The table of API actions: name, parameters, whether it changes anything, and its handler."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import COMMON, Param, ParamSpec, Request
from ecsimg.service.machinery.sdk_params import SDK_PARAMS
from ecsimg.store.repository import Transaction

Response = dict[str, Any]
Handler = Callable[[Context, Request, Transaction], Response]


@dataclass(frozen=True)
class Action:
    name: str
    params: tuple[Param, ...]
    mutating: bool
    handler: Handler
    summary: str
    logged: tuple[str, ...] = ()
    """Fields of the response that its event records beside the parameters."""


class ActionTable(Mapping[str, Action]):
    """Actions by name; an action's module is imported when one of its names is first asked for.

    Importing every action module costs a whole-process call more than its own work, so a call
    imports only the module that registers it; listing the table imports them all, in the
    order of ``modules`` (the order ``ecsimg api --help`` lists them).
    """

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = modules
        self._loaded: dict[str, Action] = {}

    def register(self, act: Action) -> None:
        self._loaded[act.name] = act

    def __getitem__(self, name: str) -> Action:
        found = self._loaded.get(name)
        if found is None and name in self._modules:
            importlib.import_module(f"ecsimg.service.{self._modules[name]}")
            found = self._loaded.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        for module in dict.fromkeys(self._modules.values()):
            importlib.import_module(f"ecsimg.service.{module}")
        return iter([*self._modules, *(n for n in self._loaded if n not in self._modules)])

    def __len__(self) -> int:
        return len(self._modules.keys() | self._loaded.keys())


ACTIONS = ActionTable({
    "DescribeRegions": "account.regions",
    "DescribeImages": "images.describe",
    "DescribeImageSharePermission": "images.describe",
    "DescribeImageFromFamily": "images.describe",
    "DescribeImageSupportInstanceTypes": "instances.types",
    "DescribeInstanceTypes": "instances.types",
    "CreateSnapshot": "storage.snapshots",
    "DescribeSnapshots": "storage.snapshots",
    "DescribeDisks": "storage.disks",
    "CancelTask": "images.tasks",
    "DescribeTasks": "images.tasks",
    "DescribeTaskAttribute": "images.tasks",
    "ModifyImageAttribute": "images.modify",
    "CopyImage": "images.copy",
    "CancelCopyImage": "images.copy",
    "CreateImage": "images.create",
    "DeleteImage": "images.delete",
    "ModifyImageSharePermission": "images.share",
    "ImportImage": "images.transfer",
    "ExportImage": "images.transfer",
    "ReplaceSystemDisk": "instances.replace",
    "DescribePrice": "market.price",
    "RunInstances": "instances.lifecycle",
    "StartInstance": "instances.lifecycle",
    "StopInstance": "instances.lifecycle",
    "DeleteInstance": "instances.lifecycle",
    "ReInitDisk": "instances.lifecycle",
    "DescribeInstances": "instances.describe",
    "TagResources": "images.tags",
    "UntagResources": "images.tags",
})
"""The ECS API actions: what ``ecsimg api`` offers and lists, each by the module that holds it."""
OWN_ACTIONS = ActionTable({"ecsimg:MarketBuy": "market.purchases",
                           "ecsimg:LoadImages": "images.load"})
"""ecsimg's own writes (``market buy``, ``load``), through the same door as the API actions.

Their names start with ``ecsimg:``, which no ECS action name can hold, and ``ecsimg api``
neither lists nor runs them: they are reached through their own commands.
"""
OWN_PREFIX = "ecsimg:"


def action(
    name: str, *params: Param, mutating: bool = False, summary: str = "",
    logged: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as action ``name``; RegionId, DryRun and owner params are implied.

    A name starting with ``ecsimg:`` registers one of ecsimg's own actions (OWN_ACTIONS).
    Every parameter name the official SDK sends for the action that is not declared here is
    accepted and ignored.
    """

    def register(handler: Handler) -> Handler:
        spec = with_sdk_names(name, (*COMMON, Param("DryRun", bool), *params))
        doc = summary or (handler.__doc__ or "").strip().splitlines()[0]
        table = OWN_ACTIONS if name.startswith(OWN_PREFIX) else ACTIONS
        table.register(Action(name, spec, mutating, handler, doc, logged))
        return handler

    return register


_KINDS: dict[str, type] = {"str": str, "int": int, "bool": bool, "float": float}


def with_sdk_names(name: str, declared: tuple[Param, ...]) -> ParamSpec:
    """``declared`` plus, as ignored, each SDK name of the action that none of them covers."""
    names = {param.name for param in declared}
    ignored = [
        Param(wire, _KINDS[kind], ignored=True)
        for wire, kind in SDK_PARAMS.get(name, {}).items()
        if wire not in names
    ]
    return ParamSpec((*declared, *ignored))
