"""Bugs the fuzz tests found, each pinned by the smallest call that showed it."""

from __future__ import annotations

from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.world import World


def events_of(world: World, request_id: str) -> list[str]:
    with world.repo.read() as view:
        return [e.code for e in view.all(tables.EVENTS) if e.request_id == request_id]


def test_malformed_dry_run_is_an_api_error_with_its_request_id_and_event(world: World) -> None:
    image = world.image()
    err = world.error("ModifyImageAttribute", ImageId=image.image_id, Description="ok text",
                      DryRun="yes")
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert "DryRun" in err.message
    assert err.request_id
    assert events_of(world, err.request_id) == ["InvalidParameter"]
    assert world.get_image(image.image_id) == image


def test_malformed_dry_run_on_a_read_is_an_api_error_with_its_request_id(world: World) -> None:
    err = world.error("DescribeImages", DryRun="yes")
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert err.request_id


def test_lone_surrogate_in_a_parameter_is_refused_and_logged_storably(world: World) -> None:
    # What Python makes of command-line bytes that are not UTF-8 (surrogateescape).
    image = world.image()
    err = world.error("DeleteImage", ImageId="m-\udcff", Force="true")
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert "ImageId" in err.message
    assert events_of(world, err.request_id) == ["InvalidParameter"]
    fresh = TinyRepository(world.repo.location)
    with fresh.read() as view:
        logged = next(e for e in view.all(tables.EVENTS) if e.request_id == err.request_id)
    assert logged.params["ImageId"] == "m-\\udcff"
    assert world.get_image(image.image_id) == image


def test_lone_surrogate_in_a_read_is_invalid_parameter(world: World) -> None:
    err = world.error("DescribeImages", ImageName="\ud800name")
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
