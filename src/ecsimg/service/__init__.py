"""The service: one function per ECS API action, holding every rule; no Textual, no Rich."""

from ecsimg.service import (  # noqa: F401  (importing registers the actions)
    describe,
    describe_types,
    disks,
    images_copy,
    images_create,
    images_delete,
    images_modify,
    images_share,
    images_transfer,
    instances,
    instances_describe,
    load,
    market,
    price,
    regions,
    replace,
    snapshots,
    tags,
)
from ecsimg.service.context import Context
from ecsimg.service.core import PlannedCall, UnknownAction, call, check, lookup
from ecsimg.service.params import UnknownParameter
from ecsimg.service.registry import ACTIONS, OWN_ACTIONS

__all__ = ["ACTIONS", "OWN_ACTIONS", "Context", "PlannedCall", "UnknownAction",
           "UnknownParameter", "call", "check", "lookup"]
