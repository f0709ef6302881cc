"""ImportImage and ExportImage against hostile buckets: links, special files, non-images."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecsimg.service.images.disk_files import sample_disk_header
from tests.service.test_transfer import HZ, bucket, disk, expect, export, import_image, put_file
from tests.world import Storage, World

OUTSIDE = b"outside the OSS folder\n"


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret"
    secret.parent.mkdir(exist_ok=True)
    secret.write_bytes(OUTSIDE)
    return secret


def test_a_text_file_is_not_a_disk_image(world: World) -> None:
    put_file(world, "notes.txt", b"hello")
    expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage", disk(1, "notes.txt"))
    put_file(world, "zeros.raw", b"\0" * 4096)  # whole sectors, but no partition table
    expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage", disk(1, "zeros.raw"))


@pytest.mark.parametrize(("image_format", "gib"), [("QCOW2", 20), ("VHD", 40), ("RAW", 5)])
def test_the_image_size_is_the_disk_virtual_size(world: World, image_format: str,
                                                 gib: int) -> None:
    data = sample_disk_header(image_format, gib)
    path = bucket(world) / f"root.{image_format.lower()}"
    path.write_bytes(data)
    if image_format == "RAW":
        os.truncate(path, gib << 30)  # sparse: no blocks used
    image_id = import_image(world, disk(1, path.name))["ImageId"]
    image = world.get_image(image_id)
    assert image is not None and image.size == gib
    assert image.disk_mappings[0].format == image_format.lower()


@pytest.mark.parametrize("image_format", ["raw", "vhd", "qcow2"])
def test_an_exported_image_imports_back_at_its_size(world: World, image_format: str) -> None:
    folder = bucket(world, "exports")
    image = world.image(size=20)
    export(world, image.image_id, ImageFormat=image_format)
    exported = next(folder.iterdir()).name
    new_id = import_image(world, disk(1, exported, "exports"))["ImageId"]
    again = world.get_image(new_id)
    assert again is not None and again.size == 20
    assert again.disk_mappings[0].format == image_format


def test_an_exported_vmdk_cannot_be_imported(world: World) -> None:
    folder = bucket(world, "exports")
    image = world.image(size=20)
    export(world, image.image_id, ImageFormat="vmdk")
    exported = next(folder.iterdir()).name
    expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage",
           disk(1, exported, "exports"))


def test_a_bucket_that_is_a_link_does_not_exist(world: World, tmp_path: Path) -> None:
    secret = _outside(tmp_path)
    region = bucket(world).parent
    (region / "linked").symlink_to(secret.parent, target_is_directory=True)
    expect(world, "InvalidOSSBucket.NotFound", 400, "ImportImage", disk(1, "secret", "linked"))
    image = world.image(size=20)
    err = world.error("ExportImage", RegionId=HZ, ImageId=image.image_id, OSSBucket="linked")
    assert err.code == "InvalidOSSBucket.NotFound"
    assert os.listdir(secret.parent) == ["secret"]


def test_the_oss_folder_or_region_as_a_link_is_not_followed(world: World,
                                                           tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / HZ / "images"
    outside.mkdir(parents=True)
    (outside / "root.raw").write_bytes(sample_disk_header("RAW", 1) + b"\0" * 512)
    oss = world.repo.location.parent / "oss"
    oss.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    expect(world, "InvalidOSSBucket.NotFound", 400, "ImportImage", disk(1, "root.raw"))


@pytest.mark.parametrize("kind", ["link", "link in a folder", "folder link", "fifo", "folder",
                                  "device"])
def test_an_object_that_is_not_a_regular_file_does_not_exist(world: World, tmp_path: Path,
                                                               kind: str) -> None:
    secret = _outside(tmp_path)
    folder = bucket(world)
    name = "obj"
    if kind == "link":
        (folder / name).symlink_to(secret)
    elif kind == "link in a folder":
        (folder / "sub").mkdir()
        (folder / "sub" / "obj").symlink_to(secret)
        name = "sub/obj"
    elif kind == "folder link":
        (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
        name = "sub/secret"
    elif kind == "fifo":
        os.mkfifo(folder / name)  # opening it would block without O_NONBLOCK
    elif kind == "folder":
        (folder / name).mkdir()
    else:
        (folder / name).symlink_to("/dev/zero")
    expect(world, "InvalidOSSObject.NotFound", 400, "ImportImage", disk(1, name))
    assert secret.read_bytes() == OUTSIDE


def test_export_never_writes_through_a_link_at_its_file_name(world: World,
                                                             tmp_path: Path) -> None:
    secret = _outside(tmp_path)
    folder = bucket(world, "exports")
    image = world.image(size=20)
    name = f"{image.image_id}_system.raw.tar.gz"
    (folder / name).symlink_to(secret)
    export(world, image.image_id)
    assert secret.read_bytes() == OUTSIDE
    assert (folder / name).is_file() and not (folder / name).is_symlink()
    assert [p.name for p in folder.iterdir()] == [name]  # no temporary file left


def test_the_demo_bucket_holds_importable_samples(tmp_path: Path, storage: Storage) -> None:
    from ecsimg.store.demo.bucket import BUCKET, SAMPLES, write_demo_bucket

    world = World(tmp_path, storage=storage)
    oss = world.repo.location.parent / "oss"
    write_demo_bucket(oss)
    for name, image_format, gib in SAMPLES:
        assert (oss / HZ / BUCKET / name).stat().st_blocks * 512 < 1 << 20  # small on disk
        image_id = import_image(world, disk(1, name, BUCKET))["ImageId"]
        image = world.get_image(image_id)
        assert image is not None and (image.size, image.disk_mappings[0].format) == (
            gib, image_format.lower())
