"""The service: one function per ECS API action, holding every rule; no Textual, no Rich.

An action's module is imported when the action is first looked up (see ``registry``), so a
call pays for its own module and not for all of them.
"""

from ecsimg.service.context import Context
from ecsimg.service.core import PlannedCall, UnknownAction, call, check, lookup
from ecsimg.service.params import UnknownParameter
from ecsimg.service.registry import ACTIONS, OWN_ACTIONS

__all__ = ["ACTIONS", "OWN_ACTIONS", "Context", "PlannedCall", "UnknownAction",
           "UnknownParameter", "call", "check", "lookup"]
