"""The table of API actions: name, parameters, whether it changes anything, and its handler."""

from __future__ import annotations

from collections.abc import Callable
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


ACTIONS: dict[str, Action] = {}
"""The ECS API actions: what ``ecsimg api`` offers and lists."""
OWN_ACTIONS: dict[str, Action] = {}
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
        table[name] = Action(name, spec, mutating, handler, doc, logged)
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
