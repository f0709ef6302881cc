"""ecsimg's own writes (market buy, load) go through the same door as every API action."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg import service
from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Event
from ecsimg.service.images.load import LOAD_ACTION, load_params
from ecsimg.service.market.purchases import BUY_ACTION
from ecsimg.store import tables
from tests.world import World


def _saved_response(image_id: str) -> dict[str, Any]:
    return {"RegionId": "cn-hangzhou", "TotalCount": 1, "Images": {"Image": [{
        "ImageId": image_id, "ImageOwnerAlias": "self", "OSType": "linux", "Size": 20}]}}


def _own_writes(world: World) -> dict[str, tuple[str, dict[str, str], Any]]:
    market = world.marketplace_image()
    documents = [("saved.json", _saved_response("m-door0000000000000001"))]
    return {
        BUY_ACTION: (BUY_ACTION, {"ImageId": market.image_id, "Amount": "2"}, None),
        LOAD_ACTION: (LOAD_ACTION, load_params(documents), documents),
    }


def _events(world: World) -> list[Event]:
    with world.repo.read() as view:
        return view.all(tables.EVENTS)


@pytest.mark.parametrize("action", [BUY_ACTION, LOAD_ACTION])
def test_own_writes_are_not_api_actions(action: str) -> None:
    assert action.startswith("ecsimg:") and action in service.OWN_ACTIONS
    assert action not in service.ACTIONS
    assert service.lookup(action).mutating


@pytest.mark.parametrize("action", [BUY_ACTION, LOAD_ACTION])
@pytest.mark.parametrize(("profile", "read_only"), [("audit", False), ("default", True)])
def test_read_only_refuses_them_as_it_refuses_api_actions(
        world: World, action: str, profile: str, read_only: bool) -> None:
    name, params, payload = _own_writes(world)[action]
    with world.repo.read() as view:
        before = (view.all(tables.IMAGES), view.all(tables.PURCHASES))
    with pytest.raises(ApiError) as raised:
        service.call(world.ctx(profile, read_only), name, params, payload)
    err = raised.value
    assert (err.code, err.http_status) == ("Forbidden.ReadOnly", 403)
    assert err.message.endswith(f"is read-only: {action} would change the catalogue.")
    assert err.request_id
    with world.repo.read() as view:
        assert (view.all(tables.IMAGES), view.all(tables.PURCHASES)) == before
    assert _events(world) == []  # as for API actions: a refusal of a read-only session


@pytest.mark.parametrize("action", [BUY_ACTION, LOAD_ACTION])
def test_each_call_is_one_transaction_with_one_event_and_its_request_id(
        world: World, action: str) -> None:
    name, params, payload = _own_writes(world)[action]
    body = service.call(world.ctx(), name, params, payload)
    (event,) = _events(world)
    assert (event.action, event.code, event.request_id) == (action, "Success", body["RequestId"])


@pytest.mark.parametrize("action", [BUY_ACTION, LOAD_ACTION])
def test_a_dry_run_of_them_writes_nothing(world: World, action: str) -> None:
    name, params, payload = _own_writes(world)[action]
    with pytest.raises(ApiError) as raised:
        service.call(world.ctx(), name, {**params, "DryRun": "true"}, payload)
    assert raised.value.code == "DryRunOperation"
    assert _events(world) == []
    with world.repo.read() as view:
        assert view.all(tables.PURCHASES) == []
        assert view.get(tables.IMAGES, "cn-hangzhou/m-door0000000000000001") is None
