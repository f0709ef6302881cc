"""One request in, one reply out: the envelope, the signature, then the action through the door."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from typing import Any

from ecsimg.domain.errors import ApiError
from ecsimg.server import refusals
from ecsimg.server.auth import Authenticator, Caller
from ecsimg.server.replies import Reply, failure, success, wants_xml
from ecsimg.server.wire import Envelope, Incoming, envelope

ECS_VERSION = "2014-05-26"
STS_VERSION = "2015-04-01"
STS_ACTIONS = frozenset({"GetCallerIdentity"})
"""The STS actions answered here too, so a cloud client can learn whose keys it holds."""
DEFAULT_HOST_ID = "ecs.aliyuncs.com"

Door = Callable[[str, str, dict[str, str]], dict[str, Any]]
"""(profile name, action, flat parameters) to the response body; raises ApiError."""


def new_request_id() -> str:
    return str(uuid.uuid4()).upper()


def report_to_stderr(line: str) -> None:
    print(f"ecsimg serve: {line}", file=sys.stderr, flush=True)


class Endpoint:
    """The ECS endpoint at ``/``: GET or POST, either signature style."""

    def __init__(
        self,
        door: Door,
        authenticator: Authenticator,
        report: Callable[[str], None] = report_to_stderr,
    ) -> None:
        self._door = door
        self._authenticator = authenticator
        self._report = report

    def handle(self, request: Incoming) -> Reply:
        """The reply to ``request``; never raises."""
        params = envelope(request)
        xml = wants_xml(params.get("Format"))
        host_id = request.header("host") or DEFAULT_HOST_ID
        try:
            action, caller = self._admit(request, params)
            return success(action, self._door(caller.profile, action, params.action_params()), xml)
        except ApiError as err:
            return failure(err, err.request_id or new_request_id(), host_id, xml)
        except Exception as err:  # the last resort: an API error and one line, never a crash
            request_id = new_request_id()
            self._report(f"internal error in request {request_id}: {type(err).__name__}: {err}")
            return failure(refusals.internal_error(), request_id, host_id, xml)

    def _admit(self, request: Incoming, params: Envelope) -> tuple[str, Caller]:
        if request.path not in ("/", "") or request.method not in ("GET", "POST"):
            raise refusals.action_not_found()
        # The ACS3 style names the action in signed headers, the classic style in signed
        # parameters; each is read from its own place first.
        from_headers = (request.header("x-acs-action"), request.header("x-acs-version"))
        from_params = (params.get("Action"), params.get("Version"))
        first, second = ((from_headers, from_params) if request.header("authorization") is not None
                         else (from_params, from_headers))
        action = first[0] or second[0] or ""
        version = first[1] or second[1] or ""
        if not action:
            raise refusals.missing_parameter("Action")
        if not version:
            raise refusals.missing_parameter("Version")
        if version != ECS_VERSION and not (version == STS_VERSION and action in STS_ACTIONS):
            raise refusals.invalid_version()
        return action, self._authenticator.authenticate(request, params)
