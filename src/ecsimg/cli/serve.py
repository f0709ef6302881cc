"""``ecsimg serve``: the composition root that joins the catalogue, the service and the server.

The server reaches the service through one ``door`` and the keys through one ``lookup``,
both built here; nothing in ``ecsimg.server`` opens the catalogue itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecsimg.bootstrap import Serving
    from ecsimg.domain.models import AccessKey
    from ecsimg.server.auth import KeyLookup
    from ecsimg.server.endpoint import Door
    from ecsimg.server.faults import FaultPlan
    from ecsimg.service.backend import Backend

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


def make_door(serving: Serving) -> Door:
    """Calls the named profile's backend; RegionId is never filled from the profile, because
    over HTTP it is required where the real API requires it."""
    from ecsimg import service
    from ecsimg.domain.errors import ApiError
    from ecsimg.server import refusals

    def door(profile: str, action: str, params: dict[str, str]) -> dict[str, Any]:
        if action == "GetCallerIdentity":
            return caller_identity(serving.backend_for(profile))
        try:
            return serving.backend_for(profile).call(action, params)
        except service.UnknownAction:
            raise refusals.action_not_found() from None
        except service.UnknownParameter as err:
            text = str(err).replace(" --", " ")
            raise ApiError("InvalidParameter", f"{text}.", 400) from None

    return door


def caller_identity(backend: Backend) -> dict[str, Any]:
    """STS GetCallerIdentity as the real STS answers it for a RAM user's key."""
    session = backend.session
    account = session.account_id
    user = f"ecsimg-{session.profile_name}"
    return {"IdentityType": "RAMUser", "AccountId": account, "UserId": user,
            "PrincipalId": user, "Arn": f"acs:ram::{account}:user/{user}"}


def make_key_lookup(serving: Serving) -> KeyLookup:
    """AccessKeyId to key record; known keys are remembered, unknown ones read again each
    time, so that keys made by ``ecsimg profile keys`` while serving work at once."""
    known: dict[str, AccessKey] = {}

    def lookup(access_key_id: str) -> AccessKey | None:
        found = known.get(access_key_id)
        if found is not None:
            return found
        hit = serving.find_key(access_key_id)
        if hit is not None:
            known[access_key_id] = hit
        return hit

    return lookup


def serve(serving: Serving, host: str, port: int, faults: FaultPlan | None = None) -> int:
    """Serve until stopped; the ready line is the only thing written to stdout."""
    from ecsimg.cli.output import fail, print_line
    from ecsimg.domain.clock import system_clock
    from ecsimg.i18n import t
    from ecsimg.server.app import EcsApp
    from ecsimg.server.auth import Authenticator
    from ecsimg.server.endpoint import Endpoint
    from ecsimg.server.faults import Faults
    from ecsimg.server.runner import bind, run

    endpoint = Endpoint(make_door(serving),
                        Authenticator(make_key_lookup(serving), system_clock))
    try:
        sock = bind(host, port)
    except OSError as err:
        fail(t("cli.cannot_listen", host=host, port=port, error=err.strerror or err))
        return 1
    if faults is not None and faults.active:
        print_line(f"ecsimg serve: {faults.describe()}", sys.stderr)
    made = Faults(faults) if faults is not None and faults.active else None
    app = EcsApp(endpoint, faults=made)
    run(app, sock, lambda url: print_line(t("cli.listening", url=url)))
    if made is not None:
        print_line(f"ecsimg serve: {made.summary()}", sys.stderr)
    return 0
