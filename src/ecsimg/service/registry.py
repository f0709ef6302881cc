"""The table of API actions: name, parameters, whether it changes anything, and its handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecsimg.service.context import Context
from ecsimg.service.params import COMMON, Param, ParamSpec, Request
from ecsimg.service.sdk_params import SDK_PARAMS
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


ACTIONS: dict[str, Action] = {}


def action(
    name: str, *params: Param, mutating: bool = False, summary: str = ""
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as action ``name``; RegionId, DryRun and owner params are implied.

    Every other name the official SDK sends for the action is accepted and ignored.
    """

    def register(handler: Handler) -> Handler:
        spec = with_sdk_names(name, (*COMMON, Param("DryRun", bool), *params))
        doc = summary or (handler.__doc__ or "").strip().splitlines()[0]
        ACTIONS[name] = Action(name, spec, mutating, handler, doc)
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
