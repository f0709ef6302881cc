"""The service: one function per ECS API action, holding every rule; no Textual, no Rich.

``machinery`` is the door (parameters, read-only, DryRun, the transaction, the event),
``images``, ``instances``, ``storage``, ``market`` and ``account`` hold the actions by
resource, and ``reads`` the read models the TUI and the CLI show besides the API. An
action's module is imported when the action is first looked up (see ``registry``), so a call
pays for its own module and not for all of them.
"""

from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.door import PlannedCall, UnknownAction, call, check, lookup
from ecsimg.service.machinery.params import UnknownParameter
from ecsimg.service.machinery.registry import ACTIONS, OWN_ACTIONS

__all__ = ["ACTIONS", "OWN_ACTIONS", "Context", "PlannedCall", "UnknownAction",
           "UnknownParameter", "call", "check", "lookup"]
