"""The single entry to every action: parameters, read-only, DryRun, the transaction, events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, DryRunOperation
from ecsimg.domain.models import Event
from ecsimg.service.context import Context
from ecsimg.service.params import Request, UnknownParameter
from ecsimg.service.registry import ACTIONS, Action
from ecsimg.store import tables

SECRET_PARAMS = frozenset({"Password"})


class UnknownAction(Exception):
    """An action name ecsimg does not implement: a usage error."""


class _Rollback(Exception):
    """Raised inside a transaction so that nothing it wrote is committed."""


def lookup(name: str) -> Action:
    found = ACTIONS.get(name)
    if found is None:
        raise UnknownAction(f"unknown action {name!r}; see `ecsimg api --help` for the list")
    return found


def call(
    ctx: Context, name: str, params: Mapping[str, str], *, fill_region: bool = True
) -> dict[str, Any]:
    """Run one API action and return its response body; raise ApiError as the API would.

    UnknownAction and UnknownParameter are usage errors and are raised before anything runs.
    ``fill_region`` gives a missing RegionId the profile's region, as the aliyun CLI does;
    the HTTP server turns it off, because the real API requires RegionId (Rule 1).
    """
    act = lookup(name)
    raw = dict(params)
    if fill_region and not raw.get("RegionId") and any(p.name == "RegionId" for p in act.params):
        raw["RegionId"] = ctx.region_id
    request_id = ctx.ids.request_id()
    try:
        req = Request(name, act.params, raw)
        # Parsed here so that a malformed DryRun fails like any other bad parameter.
        dry_run = req.bool("DryRun")
    except UnknownParameter:
        raise
    except ApiError as err:
        err.request_id = request_id
        _record_failure(ctx, act, raw, err, request_id)
        raise
    if act.mutating and ctx.is_read_only:
        refused = ApiError(
            "Forbidden.ReadOnly",
            f"Profile '{ctx.profile.name}' is read-only: {name} would change the catalogue.",
            403,
        )
        refused.request_id = request_id
        raise refused
    try:
        with ctx.repo.transaction() as tx:
            body = act.handler(ctx, req, tx)
            if dry_run:
                raise _Rollback
            if act.mutating:
                tx.put(tables.EVENTS, _event(ctx, act, raw, "Success", request_id, body))
    except _Rollback:
        dry = DryRunOperation()
        dry.request_id = request_id
        raise dry from None
    except ApiError as err:
        err.request_id = request_id
        _record_failure(ctx, act, raw, err, request_id)
        raise
    return {"RequestId": request_id, **body}


def _event(
    ctx: Context,
    act: Action,
    raw: Mapping[str, str],
    code: str,
    request_id: str,
    body: Mapping[str, Any] | None = None,
) -> Event:
    resource_ids = {v for k, v in raw.items() if k in ("ImageId", "InstanceId", "SnapshotId")}
    if body:
        for key in ("ImageId", "DiskId", "SnapshotId", "TaskId", "InstanceId"):
            value = body.get(key)
            if isinstance(value, str) and value:
                resource_ids.add(value)
    return make_event(ctx, act.name, raw, code, request_id, resource_ids)


def make_event(
    ctx: Context,
    action_name: str,
    params: Mapping[str, str],
    code: str,
    request_id: str,
    resource_ids: Iterable[str] = (),
) -> Event:
    """The audit record of one mutating call: passwords masked, every text storable."""
    shown = {k: ("******" if k in SECRET_PARAMS else _storable(v)) for k, v in params.items()}
    return Event(
        event_id=f"{ctx.now():017.6f}-{request_id}",
        time=iso(ctx.now()),
        profile=ctx.profile.name,
        account_id=ctx.account_id,
        action=action_name,
        params=shown,
        code=code,
        request_id=request_id,
        resource_ids=tuple(sorted({_storable(r) for r in resource_ids})),
    )


def _record_failure(
    ctx: Context, act: Action, raw: Mapping[str, str], err: ApiError, request_id: str
) -> None:
    """A refused mutation is part of the audit trail too.

    A DryRun changes nothing and the dialogs run one per keystroke to check their input, so
    DryRun calls are left out of the log.
    """
    if not act.mutating or ctx.is_read_only or raw.get("DryRun", "").strip().lower() == "true":
        return
    with ctx.repo.transaction() as tx:
        tx.put(tables.EVENTS, _event(ctx, act, raw, err.code, request_id))


def _storable(value: str) -> str:
    """The value with any lone surrogate spelled out, so that the event can be stored."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
