"""The table of API actions: name, parameters, whether it changes anything, and its handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecsimg.service.context import Context
from ecsimg.service.params import COMMON, Param, Request
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
    """Register ``handler`` as action ``name``; RegionId, DryRun and owner params are implied."""

    def register(handler: Handler) -> Handler:
        spec = (*COMMON, Param("DryRun", bool), *params)
        doc = summary or (handler.__doc__ or "").strip().splitlines()[0]
        ACTIONS[name] = Action(name, spec, mutating, handler, doc)
        return handler

    return register
