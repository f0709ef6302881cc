"""Every action of ecsimg through the official typed SDK client, against a real server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from alibabacloud_ecs20140526 import models as sdk
from alibabacloud_ecs20140526.client import Client

from ecsimg.service import ACTIONS
from tests.server.harness import Keys, Served, typed_client

HZ = "cn-hangzhou"
SH = "cn-shanghai"
DEV_ACCOUNT = "2345678901234567"
GIB = 1 << 30


@dataclass
class Ids:
    """Resources of the default profile found through the SDK itself."""

    client: Client
    served: Served
    image_id: str
    family: str
    stopped_instance_id: str
    running_instance_id: str
    data_disk_id: str

    def new_instance(self) -> str:
        """A fresh instance of our own image, stopped, so nothing else holds it."""
        made = self.client.run_instances(sdk.RunInstancesRequest(
            region_id=HZ, image_id=self.image_id, instance_type="ecs.g7.large"))
        instance_id: str = made.body.instance_id_sets.instance_id_set[0]
        self.client.stop_instance(sdk.StopInstanceRequest(instance_id=instance_id))
        return instance_id

    def bucket(self, name: str) -> Any:
        folder = self.served.db.parent / "oss" / HZ / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder


@pytest.fixture(scope="module")
def ids(served: Served, default_keys: Keys) -> Ids:
    client = typed_client(served, default_keys)
    images = client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, image_owner_alias="self", status="Available", page_size=100)).body
    family = next(i for i in images.images.image if i.image_family)
    # One system disk only: ReplaceSystemDisk refuses an image with data disks.
    plain = next(i for i in images.images.image
                 if len(i.disk_device_mappings.disk_device_mapping) == 1)
    instances = client.describe_instances(sdk.DescribeInstancesRequest(region_id=HZ)).body
    stopped = next(i.instance_id for i in instances.instances.instance if i.status == "Stopped")
    running = next(i.instance_id for i in instances.instances.instance if i.status == "Running")
    disks = client.describe_disks(sdk.DescribeDisksRequest(region_id=HZ, disk_type="data")).body
    return Ids(client, served, plain.image_id, family.image_family, stopped, running,
               disks.disks.disk[0].disk_id)


def _qcow2(virtual_gib: int) -> bytes:
    header = bytearray(512)
    header[0:4] = b"QFI\xfb"
    header[4:8] = (3).to_bytes(4, "big")
    header[24:32] = (virtual_gib * GIB).to_bytes(8, "big")
    return bytes(header)


def _copy(ids: Ids) -> str:
    made = ids.client.copy_image(sdk.CopyImageRequest(
        region_id=HZ, image_id=ids.image_id, destination_region_id=SH,
        destination_image_name="copy-to-cancel"))
    image_id: str = made.body.image_id
    return image_id


def _export(ids: Ids) -> str:
    """An export in progress: ExportImage's row may have started one already."""
    tasks = ids.client.describe_tasks(sdk.DescribeTasksRequest(
        region_id=HZ, task_action="ExportImage", task_status="Processing")).body
    if tasks.task_set.task:
        task_id: str = tasks.task_set.task[0].task_id
        return task_id
    ids.bucket("exports")
    made = ids.client.export_image(sdk.ExportImageRequest(
        region_id=HZ, image_id=ids.image_id, ossbucket="exports"))
    task_id = made.body.task_id
    return task_id


def _import(ids: Ids) -> sdk.ImportImageRequest:
    (ids.bucket("images") / "root.qcow2").write_bytes(_qcow2(30))
    return sdk.ImportImageRequest(
        region_id=HZ, ostype="linux", platform="Ubuntu", architecture="x86_64",
        disk_device_mapping=[sdk.ImportImageRequestDiskDeviceMapping(
            ossbucket="images", ossobject="root.qcow2")])


def _disposable_image(ids: Ids) -> str:
    """An Available image of ours that no other row uses (images made here are Creating)."""
    images = ids.client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, image_owner_alias="self", status="Available", page_size=100)).body
    for image in images.images.image:
        if image.image_id == ids.image_id or image.image_family:
            continue
        shares = ids.client.describe_image_share_permission(
            sdk.DescribeImageSharePermissionRequest(region_id=HZ, image_id=image.image_id))
        if not shares.body.accounts.account:
            image_id: str = image.image_id
            return image_id
    raise AssertionError("the demo catalogue has no unshared image to delete")


def _system_disk(ids: Ids, instance_id: str) -> str:
    disks = ids.client.describe_disks(sdk.DescribeDisksRequest(
        region_id=HZ, instance_id=instance_id, disk_type="system")).body
    disk_id: str = disks.disks.disk[0].disk_id
    return disk_id


Row = Callable[[Ids], Any]
"""Builds the action's request model (doing any set-up the action needs first)."""

ROWS: dict[str, Row] = {
    "DescribeRegions": lambda ids: sdk.DescribeRegionsRequest(),
    "DescribeImages": lambda ids: sdk.DescribeImagesRequest(region_id=HZ, page_size=5),
    "DescribeImageFromFamily": lambda ids: sdk.DescribeImageFromFamilyRequest(
        region_id=HZ, image_family=ids.family),
    "DescribeImageSharePermission": lambda ids: sdk.DescribeImageSharePermissionRequest(
        region_id=HZ, image_id=ids.image_id),
    "DescribeImageSupportInstanceTypes":
        lambda ids: sdk.DescribeImageSupportInstanceTypesRequest(region_id=HZ,
                                                                  image_id=ids.image_id),
    "DescribeInstanceTypes": lambda ids: sdk.DescribeInstanceTypesRequest(),
    "DescribeInstances": lambda ids: sdk.DescribeInstancesRequest(
        region_id=HZ, instance_ids=json.dumps([ids.stopped_instance_id])),
    "DescribeDisks": lambda ids: sdk.DescribeDisksRequest(
        region_id=HZ, instance_id=ids.stopped_instance_id),
    "DescribeSnapshots": lambda ids: sdk.DescribeSnapshotsRequest(region_id=HZ),
    "DescribeTasks": lambda ids: sdk.DescribeTasksRequest(region_id=HZ),
    "DescribePrice": lambda ids: sdk.DescribePriceRequest(
        region_id=HZ, instance_type="ecs.g7.large", image_id=ids.image_id),
    "ModifyImageAttribute": lambda ids: sdk.ModifyImageAttributeRequest(
        region_id=HZ, image_id=ids.image_id, description="changed through the SDK"),
    "ModifyImageSharePermission": lambda ids: sdk.ModifyImageSharePermissionRequest(
        region_id=HZ, image_id=ids.image_id, add_account=[DEV_ACCOUNT]),
    "TagResources": lambda ids: sdk.TagResourcesRequest(
        region_id=HZ, resource_type="image", resource_id=[ids.image_id],
        tag=[sdk.TagResourcesRequestTag(key="via", value="sdk")]),
    "UntagResources": lambda ids: sdk.UntagResourcesRequest(
        region_id=HZ, resource_type="image", resource_id=[ids.image_id], tag_key=["via"]),
    "CreateSnapshot": lambda ids: sdk.CreateSnapshotRequest(disk_id=ids.data_disk_id),
    "CreateImage": lambda ids: sdk.CreateImageRequest(
        region_id=HZ, instance_id=ids.new_instance(), image_name="made-through-the-sdk"),
    "CopyImage": lambda ids: sdk.CopyImageRequest(
        region_id=HZ, image_id=ids.image_id, destination_region_id=SH,
        destination_image_name="copied-through-the-sdk"),
    "CancelCopyImage": lambda ids: sdk.CancelCopyImageRequest(region_id=SH,
                                                               image_id=_copy(ids)),
    "ExportImage": lambda ids: (ids.bucket("exports"), sdk.ExportImageRequest(
        region_id=HZ, image_id=ids.image_id, ossbucket="exports"))[1],
    "CancelTask": lambda ids: sdk.CancelTaskRequest(region_id=HZ, task_id=_export(ids)),
    "DescribeTaskAttribute": lambda ids: sdk.DescribeTaskAttributeRequest(
        region_id=HZ, task_id=_export(ids)),
    "ImportImage": _import,
    "RunInstances": lambda ids: sdk.RunInstancesRequest(
        region_id=HZ, image_id=ids.image_id, instance_type="ecs.g7.large"),
    "StopInstance": lambda ids: sdk.StopInstanceRequest(instance_id=ids.running_instance_id),
    "StartInstance": lambda ids: sdk.StartInstanceRequest(instance_id=ids.stopped_instance_id),
    "ReplaceSystemDisk": lambda ids: sdk.ReplaceSystemDiskRequest(
        instance_id=ids.new_instance(), image_id=ids.image_id),
    "ReInitDisk": lambda ids: sdk.ReInitDiskRequest(
        disk_id=_system_disk(ids, ids.new_instance())),
    "DeleteInstance": lambda ids: sdk.DeleteInstanceRequest(instance_id=ids.new_instance()),
    "DeleteImage": lambda ids: sdk.DeleteImageRequest(
        region_id=HZ, image_id=_disposable_image(ids), force=True),
}


def _method(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def test_every_action_the_sdk_has_is_in_the_table() -> None:
    in_sdk = {name for name in ACTIONS if hasattr(Client, _method(name))}
    assert in_sdk == set(ROWS)


@pytest.mark.parametrize("action", list(ROWS))
def test_action_through_the_typed_sdk(ids: Ids, action: str) -> None:
    request = ROWS[action](ids)
    response = getattr(ids.client, _method(action))(request)
    assert response.status_code == 200
    body = response.body.to_map()
    assert re.fullmatch(r"[0-9A-F-]{36}", body["RequestId"]), body


def test_an_exports_progress_is_read_through_the_sdks_task_attribute(ids: Ids) -> None:
    task_id = _export(ids)
    attribute = ids.client.describe_task_attribute(sdk.DescribeTaskAttributeRequest(
        region_id=HZ, task_id=task_id)).body
    listed = ids.client.describe_tasks(sdk.DescribeTasksRequest(
        region_id=HZ, task_ids=task_id)).body.task_set.task[0]
    assert (attribute.task_id, attribute.task_action, attribute.region_id) == (
        task_id, "ExportImage", HZ)
    assert attribute.task_status == listed.task_status
    assert attribute.creation_time == listed.creation_time
    assert re.fullmatch(r"[0-9]{1,3}%", attribute.task_process)
    if attribute.task_status == "Finished":
        assert attribute.task_process == "100%" and attribute.success_count == 1
    else:
        assert int(attribute.task_process.rstrip("%")) < 100
        assert attribute.support_cancel == "true"
    with pytest.raises(Exception, match=r"InvalidTaskId\.NotFound"):
        ids.client.describe_task_attribute(sdk.DescribeTaskAttributeRequest(
            region_id=HZ, task_id="t-doesnotexist0000000"))


def test_a_change_through_the_sdk_is_what_describe_shows(ids: Ids) -> None:
    ids.client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
        region_id=HZ, image_id=ids.image_id, description="read back"))
    found = ids.client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, image_id=ids.image_id)).body.images.image
    assert [image.description for image in found] == ["read back"]
