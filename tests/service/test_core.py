"""The entry every action goes through: events, DryRun, read-only, request IDs."""

from __future__ import annotations

from ecsimg.domain.errors import ApiError
from ecsimg.store import tables
from tests.world import DEV, World


def _events(world: World) -> list[tuple[str, str]]:
    with world.repo.read() as view:
        return sorted((e.action, e.code) for e in view.all(tables.EVENTS))


def test_a_mutation_and_a_refused_mutation_are_both_logged_with_their_request_ids(
    world: World,
) -> None:
    image = world.image()
    body = world.call("ModifyImageSharePermission", {"ImageId": image.image_id,
                                                     "AddAccount.1": DEV})
    err = world.error("ModifyImageSharePermission", {"ImageId": image.image_id,
                                                     "AddAccount.1": "0000000000000000"})
    with world.repo.read() as view:
        events = {e.request_id: e for e in view.all(tables.EVENTS)}
    assert events[body["RequestId"]].code == "Success"
    assert events[body["RequestId"]].resource_ids == (image.image_id,)
    assert events[err.request_id].code == "InvalidAccount.NotFound"
    assert events[err.request_id].profile == "default"


def test_dry_run_checks_change_nothing_and_are_not_logged(world: World) -> None:
    image = world.image()
    err = world.error("ModifyImageSharePermission", {"ImageId": image.image_id,
                                                     "AddAccount.1": DEV, "DryRun": "true"})
    assert err.code == "DryRunOperation"
    world.error("ModifyImageSharePermission", {"ImageId": image.image_id,
                                               "AddAccount.1": "bad", "DryRun": "true"})
    assert _events(world) == []
    assert world.get_image(image.image_id) == image


def test_reads_are_not_logged(world: World) -> None:
    world.image()
    world.call("DescribeImages", {"ImageOwnerAlias": "self"})
    assert _events(world) == []


def test_a_read_only_profile_is_refused_before_anything_runs(world: World) -> None:
    image = world.image()
    err = world.error("DeleteImage", {"ImageId": image.image_id}, profile="audit")
    assert (err.code, err.http_status) == ("Forbidden.ReadOnly", 403)
    assert err.request_id
    assert world.get_image(image.image_id) == image


def test_passwords_never_reach_the_log(world: World) -> None:
    instance = world.instance(image_id="aliyun_3_x64_20G_alibase_20250101.vhd")
    world.public_image()
    world.call("ReplaceSystemDisk", {"InstanceId": instance.instance_id,
                                     "ImageId": "aliyun_3_x64_20G_alibase_20250101.vhd",
                                     "Password": "Secret#2026pass"})
    with world.repo.read() as view:
        logged = [e.params for e in view.all(tables.EVENTS)]
    assert logged and all(p.get("Password") == "******" for p in logged)
    assert all("Secret#2026pass" not in str(p) for p in logged)


def test_api_errors_are_exceptions_with_code_message_and_status(world: World) -> None:
    try:
        world.call("DescribeImages", {"PageSize": "101"})
    except ApiError as err:
        assert (err.code, err.http_status) == ("InvalidParameter", 400)
        assert err.to_dict()["RequestId"] == err.request_id
    else:
        raise AssertionError("PageSize 101 was accepted")


def test_numbers_in_other_scripts_digits_are_not_numbers(world: World) -> None:
    for value in ("\u0664\u0660", "1_0", "\uff11\uff10"):  # Arabic-Indic 40, 1_0, fullwidth 10
        err = world.error("DescribeImages", {"PageSize": value})
        assert (err.code, err.http_status) == ("InvalidParameter", 400)
