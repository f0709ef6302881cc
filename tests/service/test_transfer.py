"""ImportImage, ExportImage, CancelTask and DescribeTasks (Rules 26, 60, 73-85)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.service.images.disk_files import detect, sample_disk_header
from ecsimg.service.images.visibility import state
from ecsimg.store import tables
from tests.world import OPS, T0, World

HZ = "cn-hangzhou"
GIB = 1 << 30


def bucket(world: World, name: str = "images", region: str = HZ) -> Path:
    folder = world.repo.location.parent / "oss" / region / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def qcow2(virtual_gib: float) -> bytes:
    header = bytearray(512)
    header[0:4] = b"QFI\xfb"
    header[4:8] = (3).to_bytes(4, "big")
    header[24:32] = int(virtual_gib * GIB).to_bytes(8, "big")
    return bytes(header)


def vhd(virtual_gib: float) -> bytes:
    footer = bytearray(512)
    footer[0:8] = b"conectix"
    footer[48:56] = int(virtual_gib * GIB).to_bytes(8, "big")
    return b"\0" * 4096 + bytes(footer)


RAW_DISK = sample_disk_header("RAW", 1) + b"\0" * 512
"""A 1 KiB RAW disk: an MBR's boot signature in whole sectors."""


def iso() -> bytes:
    data = bytearray(0x8800)
    data[0x8001:0x8006] = b"CD001"
    return bytes(data)


def put_file(world: World, name: str, data: bytes, bucket_name: str = "images") -> str:
    (bucket(world, bucket_name) / name).write_bytes(data)
    return name


def disk(n: int, obj: str, bucket_name: str = "images", **fields: Any) -> dict[str, Any]:
    return {f"DiskDeviceMapping.{n}.OSSBucket": bucket_name,
            f"DiskDeviceMapping.{n}.OSSObject": obj,
            **{f"DiskDeviceMapping.{n}.{k}": v for k, v in fields.items()}}


def import_image(world: World, *disks: dict[str, Any], **params: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {"RegionId": HZ, **params}
    for mapping in disks:
        merged.update(mapping)
    return world.call("ImportImage", merged)


def state_of_world(world: World) -> tuple[list[str], list[str], list[str]]:
    with world.repo.read() as view:
        return (sorted(i.key for i in view.all(tables.IMAGES)),
                sorted(s.snapshot_id for s in view.all(tables.SNAPSHOTS)),
                sorted(t.task_id for t in view.all(tables.TASKS)))


def expect(world: World, code: str, status: int, action: str, *disks: dict[str, Any],
           **params: Any) -> None:
    """The call fails with ``code``/``status`` and changes no image, snapshot or task."""
    merged: dict[str, Any] = {"RegionId": HZ, **params}
    for mapping in disks:
        merged.update(mapping)
    before = state_of_world(world)
    err = world.error(action, merged)
    assert (err.code, err.http_status) == (code, status), err.message
    assert state_of_world(world) == before


# -- detection ---------------------------------------------------------------------------


def test_detect_reads_format_and_virtual_size_from_headers() -> None:
    assert detect(qcow2(30), b"", 512) == ("QCOW2", 30)
    assert detect(b"\0" * 100, vhd(2.5)[-512:], 4608) == ("VHD", 3)
    assert detect(iso(), b"", 0x8800)[0] == "ISO"
    assert detect(b"KDMV" + b"\0" * 60, b"", 64)[0] == "VMDK"
    assert detect(RAW_DISK, b"", 5 * GIB + 512) == ("RAW", 6)
    assert detect(b"\x00" * 64, b"", 5 * GIB) == ("UNKNOWN", 0)  # no partition table
    assert detect(RAW_DISK, b"", 5 * GIB + 1) == ("UNKNOWN", 0)  # not whole sectors
    assert detect(b"", b"", 0) == ("UNKNOWN", 0)
    assert detect(b"notes", b"notes", 5) == ("UNKNOWN", 0)


# -- ImportImage -----------------------------------------------------------------------------


def test_import_creates_a_creating_image_with_a_task(world: World) -> None:
    put_file(world, "root.qcow2", qcow2(30))
    put_file(world, "data.vhd", vhd(50))
    body = import_image(world, disk(1, "root.qcow2"), disk(2, "data.vhd", Format="vhd"),
                        ImageName="imported-web", OSType="linux", Platform="ubuntu",
                        Architecture="x86_64", **{"Tag.1.Key": "src", "Tag.1.Value": "oss"})
    assert body["RegionId"] == HZ and body["TaskId"].startswith("t-")
    image = world.get_image(body["ImageId"])
    assert image is not None
    assert (image.owner_id, image.owner_kind, image.size, image.platform) == (
        OPS, "custom", 30, "Ubuntu")
    assert [(d.device, d.disk_type, d.size, d.format, d.import_oss_object)
            for d in image.disk_mappings] == [
        ("/dev/xvda", "system", 30, "qcow2", "root.qcow2"),
        ("/dev/xvdb", "data", 50, "vhd", "data.vhd")]
    assert (image.pending_start, image.pending_end) == (T0, T0 + 80)
    assert image.tags == (m.Tag("src", "oss"),)
    with world.repo.read() as view:
        snapshots = [view.get(tables.SNAPSHOTS, d.snapshot_id) for d in image.disk_mappings]
    assert [s.size if s else None for s in snapshots] == [30, 50]
    tasks = world.call("DescribeTasks", RegionId=HZ)["TaskSet"]["Task"]
    assert [(t["TaskId"], t["TaskAction"], t["TaskStatus"], t["ResourceId"], t["SupportCancel"])
            for t in tasks] == [(body["TaskId"], "ImportImage", "Processing", image.image_id,
                                 "true")]
    world.advance(80)
    assert state(image, world.clock.now)[0] == "Available"
    task = world.call("DescribeTasks", RegionId=HZ, TaskIds=body["TaskId"])["TaskSet"]["Task"][0]
    assert (task["TaskStatus"], task["FinishedTime"]) == ("Finished", "2026-01-01T00:01:20Z")


def test_rule_073_import_needs_the_bucket_in_the_same_region(world: World) -> None:
    (bucket(world, "elsewhere", "cn-shanghai") / "root.raw").write_bytes(RAW_DISK)
    expect(world, "InvalidOSSBucket.NotFound", 400, "ImportImage",
           disk(1, "root.raw", "elsewhere"))
    expect(world, "InvalidOSSBucket.NotFound", 400, "ImportImage", disk(1, "root.raw", "../x"))
    put_file(world, "root.raw", RAW_DISK)
    expect(world, "InvalidOSSObject.NotFound", 400, "ImportImage", disk(1, "missing.raw"))
    expect(world, "InvalidOSSObject.Malformed", 400, "ImportImage", disk(1, "../images/root.raw"))
    expect(world, "InvalidOSSObject.Malformed", 400, "ImportImage", disk(1, "/etc/passwd"))
    expect(world, "MissingParameter", 400, "ImportImage",
           {"DiskDeviceMapping.1.OSSBucket": "images"})
    expect(world, "MissingParameter.DiskDeviceMapping", 403, "ImportImage")


def test_rule_074_import_needs_the_import_role(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    with world.repo.read() as view:
        account = view.get(tables.ACCOUNTS, OPS)
    world.update(tables.ACCOUNTS, account, import_role_authorized=False)
    expect(world, "NoSetRoletoECSServiceAcount", 403, "ImportImage", disk(1, "root.raw"))


def test_rule_075_only_raw_vhd_and_qcow2_import(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    put_file(world, "disk.iso", iso())
    put_file(world, "disk.vmdk", b"KDMV" + b"\0" * 508)
    put_file(world, "root.qcow2", qcow2(20))
    for bad in ("ISO", "VMDK", "vdi", "raw2"):
        expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage",
               disk(1, "root.raw", Format=bad))
    expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage", disk(1, "disk.iso"))
    expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage", disk(1, "disk.vmdk"))
    # A declared format must match the file.
    expect(world, "InvalidImageFormat.Malformed", 400, "ImportImage",
           disk(1, "root.qcow2", Format="RAW"))
    body = import_image(world, disk(1, "root.qcow2", Format="qcow2"))
    image = world.get_image(body["ImageId"])
    assert image is not None and image.disk_mappings[0].format == "qcow2"


def test_rule_076_at_most_17_disks_and_1_is_the_system_disk(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    put_file(world, "data.raw", RAW_DISK)
    seventeen = [disk(1, "root.raw"), *(disk(n, "data.raw") for n in range(2, 18))]
    expect(world, "InvalidParameter", 400, "ImportImage", *seventeen, disk(18, "data.raw"))
    expect(world, "MissingParameter", 400, "ImportImage", disk(2, "data.raw"))
    expect(world, "InvalidDevice.Malformed", 400, "ImportImage",
           disk(1, "root.raw", Device="/dev/xvdb"))
    expect(world, "InvalidDevice.InUse", 400, "ImportImage", disk(1, "root.raw"),
           disk(2, "data.raw", Device="/dev/xvdc"), disk(3, "data.raw"))
    image = world.get_image(import_image(world, *seventeen)["ImageId"])
    assert image is not None
    assert [d.disk_type for d in image.disk_mappings] == ["system"] + ["data"] * 16
    assert image.disk_mappings[-1].device == "/dev/xvdq"


def test_rule_077_disk_image_size_range_and_detected_size(world: World) -> None:
    put_file(world, "root.qcow2", qcow2(30))
    put_file(world, "data.raw", RAW_DISK)
    for bad in (0, 2049, 29):
        expect(world, "InvalidImageSize", 400, "ImportImage",
               disk(1, "root.qcow2", DiskImageSize=bad))
    expect(world, "InvalidImageSize", 400, "ImportImage", disk(1, "root.qcow2", DiskImSize=10))
    expect(world, "InvalidDataDiskSize", 400, "ImportImage", disk(1, "root.qcow2"),
           disk(2, "data.raw", DiskImageSize=2049))
    expect(world, "InvalidParameter", 400, "ImportImage",
           disk(1, "root.qcow2", DiskImageSize="forty"))
    put_file(world, "huge.qcow2", qcow2(4096))
    expect(world, "InvalidImageSize", 400, "ImportImage", disk(1, "huge.qcow2"))
    body = import_image(world, disk(1, "root.qcow2", DiskImageSize=2048), disk(2, "data.raw"))
    image = world.get_image(body["ImageId"])
    assert image is not None and [d.size for d in image.disk_mappings] == [2048, 1]


def test_rule_078_license_type(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    expect(world, "InvalidLicenseType.NotSupported", 400, "ImportImage", disk(1, "root.raw"),
           LicenseType="Free")
    byol = world.get_image(import_image(world, disk(1, "root.raw"), OSType="windows",
                                        LicenseType="BYOL")["ImageId"])
    paid = world.get_image(import_image(world, disk(1, "root.raw"), OSType="windows")["ImageId"])
    assert byol is not None and paid is not None
    assert (byol.license_type, byol.license_os) == ("BYOL", "")
    assert (paid.license_type, paid.license_os, paid.platform) == (
        "Auto", "windows", "Windows Server 2022")


def test_import_checks_os_architecture_and_boot_mode(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    expect(world, "InvalidOSType.Malformed", 400, "ImportImage", disk(1, "root.raw"),
           OSType="macos")
    expect(world, "InvalidArchitecture.Malformed", 400, "ImportImage", disk(1, "root.raw"),
           Architecture="riscv64")
    expect(world, "InvalidPlatform.Malformed", 400, "ImportImage", disk(1, "root.raw"),
           Platform="TempleOS")
    expect(world, "InvalidPlatform.Malformed", 400, "ImportImage", disk(1, "root.raw"),
           OSType="linux", Platform="Windows Server 2019")
    expect(world, "InvalidParameter", 400, "ImportImage", disk(1, "root.raw"),
           Architecture="arm64", BootMode="BIOS")
    arm = world.get_image(import_image(world, disk(1, "root.raw"), Architecture="arm64")["ImageId"])
    assert arm is not None and (arm.architecture, arm.boot_mode, arm.platform) == (
        "arm64", "UEFI", "Others Linux")


def test_rule_026_import_counts_against_the_quota(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    with world.repo.read() as view:
        account = view.get(tables.ACCOUNTS, OPS)
    world.update(tables.ACCOUNTS, account, image_quota=1)
    world.image()
    expect(world, "QuotaExceed.Image", 403, "ImportImage", disk(1, "root.raw"))


def test_import_name_rules_and_dry_run(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    world.image(image_name="taken")
    expect(world, "InvalidImageName.Duplicated", 400, "ImportImage", disk(1, "root.raw"),
           ImageName="taken")
    expect(world, "InvalidImageName.Malformed", 400, "ImportImage", disk(1, "root.raw"),
           ImageName="acs:x")
    expect(world, "InvalidDescription.Malformed", 400, "ImportImage", disk(1, "root.raw"),
           Description="http://x")
    expect(world, "DryRunOperation", 400, "ImportImage", disk(1, "root.raw"), DryRun=True)


def test_rule_079_an_importing_image_is_cancelled_not_deleted(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    body = import_image(world, disk(1, "root.raw", DiskImageSize=100))
    image_id, task_id = body["ImageId"], body["TaskId"]
    assert state(world.get_image(image_id), world.clock.now)[0] == "Creating"  # type: ignore[arg-type]
    expect(world, "ImageIsImporting", 403, "DeleteImage", ImageId=image_id)
    snapshot_ids = {d.snapshot_id for d in world.get_image(image_id).disk_mappings}  # type: ignore[union-attr]
    world.call("CancelTask", RegionId=HZ, TaskId=task_id)
    assert world.get_image(image_id) is None
    with world.repo.read() as view:
        left = [view.get(tables.SNAPSHOTS, s) for s in snapshot_ids]
    assert left == [None]
    task = world.call("DescribeTasks", RegionId=HZ, TaskIds=task_id)["TaskSet"]["Task"][0]
    assert (task["TaskStatus"], task["SupportCancel"]) == ("Cancelled", "false")
    expect(world, "IncorrectTaskStatus", 403, "CancelTask", TaskId=task_id)


def test_cancel_task_refuses_unknown_finished_and_others_tasks(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    expect(world, "InvalidTaskId.NotFound", 404, "CancelTask", TaskId="t-none")
    task_id = import_image(world, disk(1, "root.raw"))["TaskId"]
    expect(world, "InvalidTaskId.NotFound", 404, "CancelTask", TaskId=task_id,
           RegionId="cn-shanghai")
    err = world.error("CancelTask", RegionId="cn-shanghai", TaskId=task_id, profile="dev")
    assert err.code == "InvalidTaskId.NotFound"
    world.advance(2)
    expect(world, "IncorrectTaskStatus", 403, "CancelTask", TaskId=task_id)


def test_describe_tasks_filters_and_pages(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    first = import_image(world, disk(1, "root.raw", DiskImageSize=10))["TaskId"]
    world.advance(1)
    second = import_image(world, disk(1, "root.raw", DiskImageSize=100))["TaskId"]
    world.advance(20)
    body = world.call("DescribeTasks", RegionId=HZ, PageSize=1)
    assert (body["TotalCount"], body["PageSize"], body["PageNumber"]) == (2, 1, 1)
    assert [t["TaskId"] for t in body["TaskSet"]["Task"]] == [second]
    page2 = world.call("DescribeTasks", RegionId=HZ, PageSize=1, PageNumber=2)
    assert [t["TaskId"] for t in page2["TaskSet"]["Task"]] == [first]
    finished = world.call("DescribeTasks", RegionId=HZ, TaskStatus="Finished")
    assert [t["TaskId"] for t in finished["TaskSet"]["Task"]] == [first]
    both = world.call("DescribeTasks", RegionId=HZ, TaskIds=f"{first}, {second}",
                      TaskAction="ImportImage")
    assert both["TotalCount"] == 2
    assert world.call("DescribeTasks", RegionId=HZ, TaskAction="ExportImage")["TotalCount"] == 0
    assert world.call("DescribeTasks", RegionId=HZ, profile="dev")["TotalCount"] == 0
    for bad in ({"TaskAction": "Nope"}, {"TaskStatus": "Done"}, {"PageSize": 101},
                {"PageNumber": 0}, {"StartTime": "yesterday"}):
        assert world.error("DescribeTasks", RegionId=HZ, **bad).code == "InvalidParameter"


# -- ExportImage -----------------------------------------------------------------------------


def export(world: World, image_id: str, **params: Any) -> dict[str, Any]:
    return world.call("ExportImage", RegionId=HZ, ImageId=image_id, OSSBucket="exports",
                      **params)


def test_rule_083_export_writes_one_archive_per_disk(world: World) -> None:
    folder = bucket(world, "exports")
    image = world.image(size=40, data_disks=(100,))
    body = export(world, image.image_id, OSSPrefix="nightly")
    assert body["RegionId"] == HZ and body["TaskId"].startswith("t-")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"nightly_{image.image_id}_data_xvdb.raw.tar.gz",
                     f"nightly_{image.image_id}_system.raw.tar.gz"]
    with tarfile.open(folder / names[1]) as archive:
        member = archive.extractfile("disk.json")
        assert member is not None
        header = json.loads(member.read())
    assert (header["ImageId"], header["Type"], header["SizeGiB"]) == (image.image_id, "system", 40)
    task = world.call("DescribeTasks", RegionId=HZ, TaskIds=body["TaskId"])["TaskSet"]["Task"][0]
    assert (task["TaskAction"], task["TaskStatus"]) == ("ExportImage", "Processing")
    vmdk = world.image()
    export(world, vmdk.image_id, ImageFormat="VMDK")
    assert (folder / f"{vmdk.image_id}_system.vmdk.tar.gz").is_file()
    expect(world, "InvalidImageFormat.Malformed", 400, "ExportImage", ImageId=vmdk.image_id,
           OSSBucket="exports", ImageFormat="iso")


def test_rule_084_oss_prefix_is_1_to_30_alphanumerics(world: World) -> None:
    bucket(world, "exports")
    image = world.image()
    for bad in ("a" * 31, "night-ly", "../up", "夜"):
        expect(world, "InvalidOSSPrefix.Malformed", 400, "ExportImage", ImageId=image.image_id,
               OSSBucket="exports", OSSPrefix=bad)
    assert export(world, image.image_id, OSSPrefix="A" * 30)["TaskId"]


def test_rule_080_marketplace_derived_images_are_not_exported(world: World) -> None:
    bucket(world, "exports")
    derived = world.image(product_code="cmjj000001")
    expect(world, "ImageNotSupported", 403, "ExportImage", ImageId=derived.image_id,
           OSSBucket="exports")


def test_rule_081_encrypted_images_are_not_exported(world: World) -> None:
    bucket(world, "exports")
    encrypted = world.image(encrypted=True, key_kind="cmk")
    expect(world, "ImageNotSupported", 400, "ExportImage", ImageId=encrypted.image_id,
           OSSBucket="exports")
    plain = world.image()
    one_disk = m.DiskMapping("/dev/xvda", "system", 40, plain.disk_mappings[0].snapshot_id,
                             encrypted=True)
    world.update(tables.IMAGES, plain, disk_mappings=(one_disk,))
    expect(world, "ImageNotSupported", 400, "ExportImage", ImageId=plain.image_id,
           OSSBucket="exports")


def test_rule_082_at_most_4_data_disks_of_500_gib(world: World) -> None:
    bucket(world, "exports")
    five = world.image(data_disks=(10, 10, 10, 10, 10))
    big = world.image(data_disks=(501,))
    for image in (five, big):
        expect(world, "InvalidImage.DiskAmountOrSize", 400, "ExportImage",
               ImageId=image.image_id, OSSBucket="exports")
    assert export(world, world.image(data_disks=(500, 10, 10, 10)).image_id)["TaskId"]


def test_rule_060_community_and_windows_images_are_not_exported(world: World) -> None:
    bucket(world, "exports")
    community = world.image(is_public=True)
    windows = world.image(os_type="windows", platform="Windows Server 2022")
    for image in (community, windows):
        expect(world, "ImageNotSupported", 403, "ExportImage", ImageId=image.image_id,
               OSSBucket="exports")


def test_export_needs_own_available_image_bucket_and_role(world: World) -> None:
    bucket(world, "exports")
    public = world.public_image()
    expect(world, "InvalidImageId.NotFound", 404, "ExportImage", ImageId=public.image_id,
           OSSBucket="exports")
    creating = world.image(pending_start=T0, pending_end=T0 + 100)
    expect(world, "IncorrectImageStatus", 400, "ExportImage", ImageId=creating.image_id,
           OSSBucket="exports")
    image = world.image()
    expect(world, "InvalidOSSBucket.NotFound", 400, "ExportImage", ImageId=image.image_id,
           OSSBucket="nobucket")
    expect(world, "MissingParameter", 400, "ExportImage", ImageId=image.image_id)
    # partner-intl has not granted AliyunECSImageExportDefaultRole.
    theirs = world.image(owner="3456789012345678", region="ap-southeast-1")
    err = world.error("ExportImage", RegionId="ap-southeast-1", ImageId=theirs.image_id,
                      OSSBucket="exports", profile="partner")
    assert (err.code, err.http_status) == ("NoSetRoletoECSServiceAcount", 403)


def test_export_dry_run_writes_nothing(world: World) -> None:
    folder = bucket(world, "exports")
    image = world.image()
    expect(world, "DryRunOperation", 400, "ExportImage", ImageId=image.image_id,
           OSSBucket="exports", DryRun=True)
    assert list(folder.iterdir()) == []


def test_rule_085_an_exporting_image_cannot_be_deleted(world: World) -> None:
    folder = bucket(world, "exports")
    image = world.image(size=40)
    task_id = export(world, image.image_id)["TaskId"]
    expect(world, "ImageIsExporting", 403, "DeleteImage", ImageId=image.image_id)
    expect(world, "ImageIsExporting", 403, "ExportImage", ImageId=image.image_id,
           OSSBucket="exports")
    world.call("CancelTask", RegionId=HZ, TaskId=task_id)
    assert list(folder.iterdir()) == []
    world.call("DeleteImage", RegionId=HZ, ImageId=image.image_id)
    assert world.get_image(image.image_id) is None


def test_a_finished_export_leaves_its_files_and_frees_the_image(world: World) -> None:
    folder = bucket(world, "exports")
    image = world.image(size=40)
    task_id = export(world, image.image_id)["TaskId"]
    world.advance(40)
    expect(world, "IncorrectTaskStatus", 403, "CancelTask", TaskId=task_id)
    assert (folder / f"{image.image_id}_system.raw.tar.gz").is_file()
    world.call("DeleteImage", RegionId=HZ, ImageId=image.image_id)


@pytest.mark.parametrize("params", [
    {"DiskDeviceMapping.1.OSSObject": "root\x00.raw"},
    {"DiskDeviceMapping.1.OSSObject": "a" * 2000},
    {"DiskDeviceMapping.1.DiskImageSize": "9" * 40},
    {"DiskDeviceMapping.1.Format": "\u202eRAW"},
    {"RegionId": "../../etc"},
    {"ClientToken": "x" * 65},
])
def test_bad_import_input_is_an_api_error(world: World, params: dict[str, str]) -> None:
    put_file(world, "root.raw", RAW_DISK)
    before = state_of_world(world)
    err = world.error("ImportImage", {**disk(1, "root.raw"), "RegionId": HZ, **params})
    assert 400 <= err.http_status < 500
    assert state_of_world(world) == before


def test_import_retried_with_its_client_token_returns_the_same_image(world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    first = import_image(world, disk(1, "root.raw"), ClientToken="imp-1")
    again = import_image(world, disk(1, "root.raw"), ClientToken="imp-1")
    assert (again["ImageId"], again["TaskId"]) == (first["ImageId"], first["TaskId"])
    assert world.call("DescribeTasks", RegionId=HZ)["TotalCount"] == 1
    expect(world, "IdempotenceParamNotMatch", 400, "ImportImage",
           disk(1, "root.raw", DiskImageSize=5), ClientToken="imp-1")
