"""ReplaceSystemDisk (Rules 91-107), and the launch checks it shares with RunInstances."""

from __future__ import annotations

import dataclasses

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, denied, invalid, not_found
from ecsimg.domain.regions import is_mainland
from ecsimg.domain.validation import password_problem
from ecsimg.service.images.visibility import get_visible, status_of
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.service.market.purchases import consume_purchase
from ecsimg.service.storage.snapshots import release_disk
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

BASIC_DISK_MAX_GIB = 500
OTHER_DISK_MAX_GIB = 2048
DEFAULT_SYSTEM_DISK_GIB = 40
THIRTY_TWO_BIT_MEMORY_LIMIT_GIB = 4.0
WINDOWS_MEMORY_MIN_GIB = 1.0
_ARCH_OF_TYPE = {"x86_64": "X86", "i386": "X86", "arm64": "ARM"}


def own_instance(view: View, account_id: str, instance_id: str) -> m.Instance:
    """The caller's instance, looked up by ID in every region; anyone else's is 'not found'."""
    inst = view.get(tables.INSTANCES, instance_id)
    if inst is None or inst.owner_id != account_id:
        raise not_found("InvalidInstanceId.NotFound",
                        f"The specified InstanceId '{instance_id}' does not exist.")
    return inst


def instance_type_of(view: View, type_id: str) -> m.InstanceType:
    found = view.get(tables.INSTANCE_TYPES, type_id)
    if found is None:
        raise ApiError("InvalidInstanceType.ValueNotSupported",
                       f"The specified InstanceType '{type_id}' does not exist.", 400)
    return found


def check_type_fits(image: m.Image, instance_type: m.InstanceType) -> None:
    """Refuse an image the instance type cannot run (Rule 104): architecture and memory."""
    if _ARCH_OF_TYPE.get(image.architecture, "X86") != instance_type.architecture:
        raise ApiError(
            "InvalidParameter.Conflict",
            f"The specified image does not support the specified instance type: image "
            f"{image.image_id} is {image.architecture}, {instance_type.instance_type_id} is "
            f"{instance_type.architecture}.", 400)
    memory = instance_type.memory_size
    if image.architecture == "i386" and memory >= THIRTY_TWO_BIT_MEMORY_LIMIT_GIB:
        raise denied("ImageNotSupportInstanceType",
                     f"32-bit image {image.image_id} runs only on instance types with less than "
                     f"4 GiB of memory; {instance_type.instance_type_id} has "
                     f"{memory:g} GiB.")
    if is_windows(image) and memory < WINDOWS_MEMORY_MIN_GIB:
        raise denied("ImageNotSupportInstanceType",
                     f"Windows image {image.image_id} needs at least 1 GiB of memory; "
                     f"{instance_type.instance_type_id} has {memory:g} GiB.")


def is_windows(image: m.Image) -> bool:
    return image.os_type == "windows" or image.license_os == "windows"


def os_min_size(image: m.Image) -> int:
    """The smallest system disk the image's OS allows: 40 Windows/RHEL, 30 CoreOS/FreeBSD, 20."""
    platform = image.platform.lower()
    if is_windows(image) or image.license_os == "rhel" or "red hat" in platform \
            or platform.startswith("rhel"):
        return 40
    if "coreos" in platform or "freebsd" in platform:
        return 30
    return 20


def system_disk_size(image: m.Image, category: str, requested: int | None,
                     current_size: int = 0) -> int:
    """The system disk size to use (Rules 95-98); ``current_size`` is the disk being replaced."""
    floor = max(os_min_size(image), current_size)
    ceiling = BASIC_DISK_MAX_GIB if category == "cloud" else OTHER_DISK_MAX_GIB
    if requested is None:
        return max(DEFAULT_SYSTEM_DISK_GIB, image.size, floor)
    if requested < image.size:
        raise not_found("InvalidSystemDiskSize.LessThanImageSize",
                        f"SystemDisk.Size {requested} GiB is smaller than the image "
                        f"({image.size} GiB).")
    if requested < floor:
        raise not_found("InvalidSystemDiskSize.LessThanMinSize",
                        f"SystemDisk.Size {requested} GiB is below the minimum of {floor} GiB "
                        "(the OS minimum and the current system disk).")
    if requested > ceiling:
        raise not_found("InvalidSystemDiskSize.MoreThanMaxSize",
                        f"SystemDisk.Size {requested} GiB is above the maximum of {ceiling} GiB "
                        f"for {category} disks.")
    return requested


def check_usable(image: m.Image, now: float) -> None:
    """Available and Deprecated images can launch (Rule 41); others are not ready."""
    status = status_of(image, now)
    if status not in (m.AVAILABLE, m.DEPRECATED):
        raise ApiError("IncorrectImageStatus",
                       f"The image {image.image_id} is {status}, not Available.", 400)


def check_credentials(view: View, account_id: str, region_id: str, image: m.Image,
                      password: str, key_pair_name: str) -> None:
    """Key pairs are Linux-only and must exist (Rules 100-101); passwords are strong (Rule 103)."""
    if key_pair_name:
        if is_windows(image):
            raise invalid("KeyPairName", "Windows images support only password login, not "
                          "SSH key pairs", "InvalidParameter.KeyPairNotSupport")
        if view.get(tables.KEY_PAIRS, f"{account_id}/{region_id}/{key_pair_name}") is None:
            raise ApiError("InvalidKeyPairName.NotFound",
                           f"The specified KeyPairName '{key_pair_name}' does not exist.", 400)
    if password:
        problem = password_problem(password, windows=is_windows(image))
        if problem:
            raise ApiError("InvalidPassword.Malformed",
                           f"The specified Password is malformed: {problem}.", 400)


def check_charge_type(view: View, image: m.Image, charge_type: str) -> None:
    """Subscription marketplace images work only with subscription instances (Rule 113)."""
    if not image.product_code or charge_type != "PostPaid":
        return
    product = view.get(tables.PRODUCTS, image.product_code)
    if product is not None and product.pricing_model == "subscription":
        raise ApiError("InvalidMarketImageChargeType.NotSupport",
                       f"The marketplace product {image.product_code} is sold by subscription and "
                       "cannot run on a pay-as-you-go (PostPaid) instance.", 400)


def check_not_locked(inst: m.Instance) -> None:
    """Neither locked for security nor expired (Rule 106 and the instance actions)."""
    if inst.locked_for_security:
        raise denied("InstanceLockedForSecurity",
                     f"The instance {inst.instance_id} is locked for security reasons.")
    if inst.expired:
        raise denied("InstanceExpiredOrInArrears",
                     f"The instance {inst.instance_id} has expired or its account is in arrears.")


def _check_instance_state(inst: m.Instance) -> None:
    check_not_locked(inst)
    if inst.unpaid_order:
        raise denied("OperationDenied.UnpaidOrder",
                     f"The instance {inst.instance_id} has an unpaid order.")
    if inst.status != "Stopped":
        raise denied("IncorrectInstanceStatus",
                     f"The instance {inst.instance_id} is {inst.status}; stop it first.")


def _runs_product(view: View, inst: m.Instance, product_code: str) -> bool:
    """Whether the instance already paid for this marketplace product (no new purchase)."""
    current = view.get(tables.IMAGES, f"{inst.region_id}/{inst.image_id}")
    if current is not None and current.product_code == product_code:
        return True
    return any(p.used_by_instance_id == inst.instance_id and p.product_code == product_code
               for p in view.all(tables.PURCHASES))


@action("ReplaceSystemDisk", Param("InstanceId", required=True), Param("ImageId"),
        Param("SystemDisk.Size", int), Param("Password"), Param("PasswordInherit", bool),
        Param("KeyPairName"), Param("SecurityEnhancementStrategy"),
        Param("UseAdditionalService", bool), Param("ClientToken"), Param("Encrypted", bool),
        Param("KMSKeyId"), Param("EncryptAlgorithm"), Param("Platform"), Param("Architecture"),
        Param("DiskId"), mutating=True)
def replace_system_disk(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Replace a stopped instance's system disk with a new one made from an image."""
    image_id = req.required("ImageId")
    password = req.str("Password")
    if req.bool("PasswordInherit") and password:
        raise ApiError("InvalidPasswordParam.Mismatch",
                       "Password must be empty when PasswordInherit is true.", 400)
    requested_size = req.int("SystemDisk.Size")
    req.choice("SecurityEnhancementStrategy", ("Active", "Deactive"))
    inst = own_instance(tx, ctx.account_id, req.required("InstanceId"))
    _check_instance_state(inst)
    image = get_visible(tx, ctx.account_id, inst.region_id, image_id)
    check_usable(image, ctx.now())
    if any(d.disk_type == "data" for d in image.disk_mappings):
        raise ApiError("OperationDenied", "The specified image contains the snapshot of the data "
                       "disk, does not support this operation.", 400)
    check_type_fits(image, instance_type_of(tx, inst.instance_type))
    if (inst.os_type != image.os_type and inst.os_type in ("linux", "windows")
            and not is_mainland(inst.region_id)):
        raise denied("OperationDenied.ImageNotValid",
                     f"Outside mainland China ({inst.region_id}) the system disk cannot switch "
                     f"between Windows and Linux ({inst.os_type} to {image.os_type}).")
    key_pair_name = req.str("KeyPairName")
    check_credentials(tx, ctx.account_id, inst.region_id, image, password, key_pair_name)
    old_disk = tx.get(tables.DISKS, inst.system_disk_id) if inst.system_disk_id else None
    category = old_disk.category if old_disk else "cloud_essd"
    size = system_disk_size(image, category, requested_size, old_disk.size if old_disk else 0)
    check_charge_type(tx, image, inst.charge_type)
    if image.product_code and not _runs_product(tx, inst, image.product_code):
        consume_purchase(tx, ctx.account_id, image, inst.instance_id)  # last check, first write

    new_disk = m.Disk(
        disk_id=ctx.ids.disk(), region_id=inst.region_id, owner_id=inst.owner_id,
        disk_type="system", category=category, size=size, creation_time=iso(ctx.now()),
        instance_id=inst.instance_id, device=old_disk.device if old_disk else "/dev/xvda",
        image_id=image.image_id, encrypted=req.bool("Encrypted"),
    )
    if old_disk is not None:
        release_disk(tx, old_disk)
    tx.put(tables.DISKS, new_disk)
    # A password or a Windows image ends key-pair login; otherwise the old key pair stays.
    dropped = bool(password) or is_windows(image)
    kept_key_pair = key_pair_name or ("" if dropped else inst.key_pair_name)
    tx.put(tables.INSTANCES, dataclasses.replace(
        inst, image_id=image.image_id, os_type=image.os_type, os_name=image.os_name,
        system_disk_id=new_disk.disk_id, key_pair_name=kept_key_pair,
    ))
    return {"DiskId": new_disk.disk_id}
