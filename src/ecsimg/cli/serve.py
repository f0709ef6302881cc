"""``ecsimg serve``: the composition root that joins the catalogue, the service and the server.

The server reaches the service through one ``door`` and the keys through one ``lookup``,
both built here; nothing in ``ecsimg.server`` opens the catalogue itself.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecsimg.domain.models import AccessKey
    from ecsimg.server.auth import KeyLookup
    from ecsimg.server.endpoint import Door
    from ecsimg.service.context import Context
    from ecsimg.store.tinystore import TinyRepository

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


def make_door(repo: TinyRepository, *, read_only: bool = False) -> Door:
    """Calls ``service.call`` as the named profile, one cached Context per profile.

    RegionId is never filled from the profile: over HTTP it is required where the real API
    requires it.
    """
    from ecsimg import service
    from ecsimg.bootstrap import make_context
    from ecsimg.domain.errors import ApiError
    from ecsimg.server import refusals

    contexts: dict[str, Context] = {}
    lock = threading.Lock()

    def context_for(profile: str) -> Context:
        with lock:
            found = contexts.get(profile)
            if found is None:
                found = contexts[profile] = make_context(repo, profile, read_only=read_only)
            return found

    def door(profile: str, action: str, params: dict[str, str]) -> dict[str, Any]:
        ctx = context_for(profile)
        try:
            return service.call(ctx, action, params, fill_region=False)
        except service.UnknownAction:
            raise refusals.action_not_found() from None
        except service.UnknownParameter as err:
            text = str(err).replace(" --", " ")
            raise ApiError("InvalidParameter", f"{text}.", 400) from None

    return door


def make_key_lookup(repo: TinyRepository) -> KeyLookup:
    """AccessKeyId to key record; known keys are remembered, unknown ones read again each
    time, so that keys made by ``ecsimg profile keys`` while serving work at once."""
    from ecsimg.service import access_keys

    known: dict[str, AccessKey] = {}

    def lookup(access_key_id: str) -> AccessKey | None:
        found = known.get(access_key_id)
        if found is not None:
            return found
        hit = access_keys.find(repo, access_key_id)
        if hit is None:
            return None
        known[access_key_id] = hit[0]
        return hit[0]

    return lookup


def serve(repo: TinyRepository, host: str, port: int, *, read_only: bool = False) -> int:
    """Serve until stopped; the ready line is the only thing written to stdout."""
    from ecsimg.cli.output import fail, print_line
    from ecsimg.domain.clock import system_clock
    from ecsimg.server.app import EcsApp
    from ecsimg.server.auth import Authenticator
    from ecsimg.server.endpoint import Endpoint
    from ecsimg.server.runner import bind, run

    endpoint = Endpoint(make_door(repo, read_only=read_only),
                        Authenticator(make_key_lookup(repo), system_clock))
    try:
        sock = bind(host, port)
    except OSError as err:
        fail(f"serve: cannot listen on {host}:{port}: {err.strerror or err}")
        return 1
    run(EcsApp(endpoint), sock, lambda url: print_line(f"ecsimg serve: listening on {url}"))
    return 0
