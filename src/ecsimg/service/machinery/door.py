"""The single entry to every action: parameters, read-only, DryRun, the transaction, events.

``call`` runs one action; ``check`` runs a plan of several in one rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, DryRunOperation, read_only_refused
from ecsimg.domain.models import Event
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Request, UnknownParameter
from ecsimg.service.machinery.registry import ACTIONS, OWN_ACTIONS, Action
from ecsimg.store import tables
from ecsimg.store.indexes import ListingRow, OrderedListing
from ecsimg.store.repository import View
from ecsimg.store.tables import Table

T = TypeVar("T")

SECRET_PARAMS = frozenset({"Password"})
PlannedCall = tuple[str, Mapping[str, str]]
"""One call of a plan: the action's name and its flat parameters."""


class UnknownAction(Exception):
    """An action name ecsimg does not implement: a usage error."""


class _Rollback(Exception):
    """Raised inside a transaction so that nothing it wrote is committed."""


class ReadOnly:
    """A read view handed to a read-only action where a transaction is expected: it reads
    like one, and a write (a bug in the action) fails loudly instead of being lost."""

    def __init__(self, view: View) -> None:
        self._view = view

    def get(self, table: Table[T], key: str) -> T | None:
        return self._view.get(table, key)

    def get_many(self, table: Table[T], keys: Iterable[str]) -> dict[str, T | None]:
        return self._view.get_many(table, keys)

    def all(self, table: Table[T]) -> list[T]:
        return self._view.all(table)

    def group(self, table: Table[T], group: str) -> list[T]:
        return self._view.group(table, group)

    def iter_group(self, table: Table[T], group: str) -> Iterator[T]:
        return self._view.iter_group(table, group)

    def listing(self, region_id: str) -> list[ListingRow] | None:
        return self._view.listing(region_id)

    def ordered(self, region_id: str) -> OrderedListing | None:
        return self._view.ordered(region_id)

    def shares_received(self, account_ids: Iterable[str]) -> dict[str, int]:
        return self._view.shares_received(account_ids)

    def scan(self, table: Table[T], group: str) -> list[T]:
        return self._view.scan(table, group)

    def put(self, table: Table[T], obj: T) -> None:
        raise RuntimeError(f"a read-only action wrote to {table.name}")

    def delete(self, table: Table[T], key: str) -> None:
        raise RuntimeError(f"a read-only action deleted from {table.name}")


def lookup(name: str) -> Action:
    found = ACTIONS.get(name) or OWN_ACTIONS.get(name)
    if found is None:
        raise UnknownAction(f"unknown action {name!r}; see `ecsimg api --help` for the list")
    return found


def call(
    ctx: Context, name: str, params: Mapping[str, str], payload: Any = None
) -> dict[str, Any]:
    """Run one action and return its response body; raise ApiError as the API would.

    ``payload`` is structured input for the actions that take it (the parsed files of
    ``ecsimg:LoadImages``). UnknownAction and UnknownParameter are usage errors and are raised
    before anything runs.
    """
    act, raw, request_id, req = _prepare(ctx, name, params)
    req.payload = payload
    # Parsed before the read-only refusal so that a malformed DryRun fails like any other
    # bad parameter.
    dry_run = _dry_run(ctx, act, raw, request_id, req)
    _refuse_read_only(ctx, act, request_id)
    if not act.mutating and not dry_run:
        # A read runs under the shared lock: reads run side by side, only writes queue.
        try:
            with ctx.repo.read() as view:
                body = act.handler(ctx, req, ReadOnly(view))
        except ApiError as err:
            err.request_id = request_id  # a refused read changes nothing: no event
            raise
        return {"RequestId": request_id, **body}
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


def check(ctx: Context, calls: Sequence[PlannedCall]) -> None:
    """Check a plan of calls together: each runs on the catalogue the calls before it leave,
    in one transaction that is then rolled back, so nothing is written and nothing logged.

    Raises the ApiError of the first call that fails, with ``call_index`` set to its place in
    the plan (DryRun in a call's parameters is ignored: every call is a check here).
    """
    prepared: list[tuple[Action, Request, str]] = []
    for index, (name, params) in enumerate(calls):
        try:
            act, _, request_id, req = _prepare(ctx, name, params, check_only=True)
            _refuse_read_only(ctx, act, request_id)
        except ApiError as err:
            err.call_index = index
            raise
        prepared.append((act, req, request_id))
    try:
        with ctx.repo.transaction() as tx:
            for index, (act, req, request_id) in enumerate(prepared):
                try:
                    act.handler(ctx, req, tx)
                except ApiError as err:
                    err.request_id = request_id
                    err.call_index = index
                    raise
            raise _Rollback
    except _Rollback:
        return


def _prepare(
    ctx: Context, name: str, params: Mapping[str, str], *, check_only: bool = False
) -> tuple[Action, dict[str, str], str, Request]:
    """The action, its parameters with the region filled in, a RequestId and the parsed request.

    A bad parameter value is refused here with its RequestId (and an event, unless this is
    a check).
    """
    act = lookup(name)
    raw = dict(params)
    if check_only:
        raw.pop("DryRun", None)
    takes_region = any(p.name == "RegionId" for p in act.params)
    if ctx.fill_region and takes_region and not raw.get("RegionId"):
        raw["RegionId"] = ctx.region_id
    request_id = ctx.ids.request_id()
    try:
        req = Request(name, act.params, raw)
    except UnknownParameter:
        raise
    except ApiError as err:
        err.request_id = request_id
        if not check_only:
            _record_failure(ctx, act, raw, err, request_id)
        raise
    return act, raw, request_id, req


def _dry_run(ctx: Context, act: Action, raw: Mapping[str, str], request_id: str,
             req: Request) -> bool:
    try:
        return req.bool("DryRun")
    except ApiError as err:
        err.request_id = request_id
        _record_failure(ctx, act, raw, err, request_id)
        raise


def _refuse_read_only(ctx: Context, act: Action, request_id: str) -> None:
    """The one read-only refusal: a mutating action under a read-only profile or --read-only."""
    if act.mutating and ctx.is_read_only:
        refused = read_only_refused(ctx.profile.name, act.name)
        refused.request_id = request_id
        raise refused


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
        for key in ("ImageId", "DiskId", "SnapshotId", "TaskId", "InstanceId", "PurchaseIds"):
            value = body.get(key)
            if isinstance(value, str) and value:
                resource_ids.add(value)
            elif isinstance(value, list):
                resource_ids.update(v for v in value if isinstance(v, str) and v)
    params = dict(raw)
    if body:
        params.update((key, str(body[key])) for key in act.logged if key in body)
    return make_event(ctx, act.name, params, code, request_id, resource_ids)


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
