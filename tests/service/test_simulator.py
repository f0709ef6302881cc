"""The simulator backend: the Backend protocol over today's catalogue."""

from __future__ import annotations

import pytest

from ecsimg.service.backend import UnknownProfile
from ecsimg.service.reads import versions
from ecsimg.service.simulator import SimulatorBackend
from tests.world import DEV, OPS, World


def test_the_session_says_who_and_where(world: World) -> None:
    session = world.backend("audit").session
    assert (session.profile_name, session.account_id, session.account_name, session.region_id,
            session.read_only) == ("audit", OPS, "ops-china", "cn-hangzhou", True)
    assert session.location == str(world.repo.location)
    assert world.backend("default", read_only=True).session.read_only


def test_switching_region_and_profile(world: World) -> None:
    world.image(image_name="in-hangzhou")
    world.image(image_name="in-shanghai", region="cn-shanghai")
    backend = world.backend()
    assert [r.name for r in backend.images().rows] == ["in-hangzhou"]
    shanghai = backend.in_region("cn-shanghai")
    assert [r.name for r in shanghai.images().rows] == ["in-shanghai"]
    assert shanghai.session.profile_name == "default"
    dev = backend.for_profile("dev")
    assert (dev.session.account_id, dev.session.region_id) == (DEV, "cn-shanghai")
    with pytest.raises(UnknownProfile, match="profiles: audit, default, dev, partner"):
        backend.for_profile("nobody")


def test_read_only_stays_with_the_process_across_profiles(world: World) -> None:
    assert world.backend("default", read_only=True).for_profile("dev").session.read_only


def test_a_refresh_shows_another_writers_change(world: World) -> None:
    image = world.image(image_name="before")
    backend = world.backend()
    assert [r.name for r in backend.images().rows] == ["before"]
    recorded = backend.fingerprints([image.key, "cn-hangzhou/m-missing"])
    other = SimulatorBackend(world.ctx())
    other.call("ModifyImageAttribute", {"ImageId": image.image_id, "ImageName": "after"})
    assert [r.name for r in backend.images(refresh=True).rows] == ["after"]
    now = backend.fingerprints(list(recorded))
    assert versions.changes(recorded, now) == {image.key: ["image name"]}


def test_buckets_are_the_folders_beside_the_catalogue(world: World) -> None:
    folder = world.repo.location.parent / "oss" / "cn-hangzhou" / "images"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "disk.qcow2").write_bytes(b"x")
    (folder / "root.raw").write_bytes(b"x")
    found = world.backend().buckets("cn-hangzhou")
    assert found.objects == {"images": ["nested/disk.qcow2", "root.raw"]}
    assert found.where.endswith("oss/cn-hangzhou")
    assert world.backend().buckets("cn-beijing").objects == {}


def test_profiles_carry_account_name_and_site(world: World) -> None:
    listed = {info.name: (info.account_name, info.site) for info in world.backend().profiles()}
    assert listed["partner"] == ("partner-intl", "international")
    assert listed["dev"] == ("dev-team", "china")
