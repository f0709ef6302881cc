"""The service: one function per ECS API action, holding every rule; no Textual, no Rich.

``machinery`` is the door (parameters, read-only, DryRun, the transaction, the event),
``images``, ``instances``, ``storage``, ``market`` and ``account`` hold the actions by
resource, and ``reads`` the read models the TUI and the CLI show besides the API.
"""

# Importing an action module registers its actions.
import ecsimg.service.account.regions
import ecsimg.service.images.copy
import ecsimg.service.images.create
import ecsimg.service.images.delete
import ecsimg.service.images.describe
import ecsimg.service.images.load
import ecsimg.service.images.modify
import ecsimg.service.images.share
import ecsimg.service.images.tags
import ecsimg.service.images.tasks
import ecsimg.service.images.transfer
import ecsimg.service.instances.describe
import ecsimg.service.instances.lifecycle
import ecsimg.service.instances.replace
import ecsimg.service.instances.types
import ecsimg.service.market.price
import ecsimg.service.market.purchases
import ecsimg.service.storage.disks
import ecsimg.service.storage.snapshots  # noqa: F401
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.door import PlannedCall, UnknownAction, call, check, lookup
from ecsimg.service.machinery.params import UnknownParameter
from ecsimg.service.machinery.registry import ACTIONS, OWN_ACTIONS

__all__ = ["ACTIONS", "OWN_ACTIONS", "Context", "PlannedCall", "UnknownAction",
           "UnknownParameter", "call", "check", "lookup"]
