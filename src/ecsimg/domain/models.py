"""The catalogue's entities as frozen dataclasses: the service changes them with ``replace``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Site = Literal["china", "international", "japan"]
OwnerKind = Literal["system", "marketplace", "custom"]
KeyKind = Literal["", "service", "cmk"]

# Image statuses as the API spells them.
AVAILABLE = "Available"
CREATING = "Creating"
WAITING = "Waiting"
UNAVAILABLE = "UnAvailable"
CREATE_FAILED = "CreateFailed"
DEPRECATED = "Deprecated"
IMAGE_STATUSES = (CREATING, WAITING, AVAILABLE, UNAVAILABLE, CREATE_FAILED, DEPRECATED)


@dataclass(frozen=True, slots=True)
class Account:
    """An Alibaba Cloud account: a 16-digit UID on one site."""

    account_id: str
    name: str
    site: Site = "china"
    image_quota: int | None = 100
    """Custom images this account may hold per region; None when unknown (a real account's
    cache: no ECS API reports it, so the real API's DryRun checks it instead)."""
    community_terms_signed: bool = False
    """Whether the account signed the Community Image Terms (needed to publish)."""
    import_role_authorized: bool = True
    """Whether AliyunECSImageImportDefaultRole is granted (needed by ImportImage)."""
    export_role_authorized: bool = True
    """Whether AliyunECSImageExportDefaultRole is granted (needed by ExportImage)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """A named way in: an account, a default region and whether it may change anything."""

    name: str
    account_id: str
    region_id: str
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class AccessKey:
    """An AccessKey pair that signs requests to ``ecsimg serve`` as one profile.

    With a ``security_token`` it is an STS triple: the request must carry the token, and the
    key stops working at ``expiration`` (epoch seconds).
    """

    access_key_id: str
    access_key_secret: str
    profile: str
    security_token: str = ""
    expiration: float = 0.0

    @property
    def is_sts(self) -> bool:
        return bool(self.security_token)


@dataclass(frozen=True, slots=True)
class Region:
    """An ECS region; ``mainland`` is False for cn-hongkong and every non-cn region."""

    region_id: str
    local_name: str
    mainland: bool
    endpoint: str = ""


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class SharePermission:
    """One account an image is shared with, and since when."""

    account_id: str
    shared_time: str


@dataclass(frozen=True, slots=True)
class DiskMapping:
    """One disk of an image: the system disk (``/dev/xvda``) or a data disk."""

    device: str
    disk_type: Literal["system", "data"]
    size: int
    snapshot_id: str = ""
    format: str = ""
    import_oss_bucket: str = ""
    import_oss_object: str = ""
    encrypted: bool = False


@dataclass(frozen=True, slots=True)
class Image:
    """An image in one region. Shared and community are views of custom images, not kinds."""

    region_id: str
    image_id: str
    image_name: str
    owner_kind: OwnerKind
    owner_id: str
    """The owner's UID; empty for Alibaba Cloud's public and marketplace images."""
    os_type: Literal["linux", "windows"]
    platform: str
    os_name: str
    os_name_en: str
    architecture: Literal["i386", "x86_64", "arm64"]
    size: int
    creation_time: str
    status: str = AVAILABLE
    """The settled status; Waiting and Creating are derived from the pending window."""
    description: str = ""
    image_version: str = ""
    image_family: str = ""
    disk_mappings: tuple[DiskMapping, ...] = ()
    tags: tuple[Tag, ...] = ()
    shares: tuple[SharePermission, ...] = ()
    is_public: bool = False
    """Published as a community image."""
    is_copied: bool = False
    copied_from: str = ""
    """``region/image_id`` of the source of a copy."""
    source_instance_id: str = ""
    product_code: str = ""
    supplier_name: str = ""
    license_type: str = "Auto"
    license_os: str = ""
    """The paid OS whose licence this image carries (windows, rhel, suse) or empty."""
    boot_mode: str = "BIOS"
    is_support_cloudinit: bool = True
    is_support_io_optimized: bool = True
    login_as_non_root: bool = False
    resource_group_id: str = ""
    encrypted: bool = False
    key_kind: KeyKind = ""
    pending_start: float = 0.0
    """Epoch seconds when the image's creation task starts (0: no task)."""
    pending_end: float = 0.0
    """Epoch seconds when the task ends and the image becomes ``status``."""
    task_id: str = ""
    nvme_support: str = "supported"
    """Features.NvmeSupport: supported or unsupported."""
    imds_support: str = "v1"
    """Features.ImdsSupport: v1 or v2."""
    cpu_online_upgrade: str = "unsupported"
    """Features.CpuOnlineUpgrade (hot-adding vCPUs): supported or unsupported; so the next three."""
    cpu_online_downgrade: str = "unsupported"
    memory_online_upgrade: str = "unsupported"
    memory_online_downgrade: str = "unsupported"
    secure_boot_support: str = "false"
    """SecureBootOptions.SecureBootSupport: true or false."""
    detection_strategy: str = ""
    """DetectionStrategy the image was created or imported with: Standard, or none."""
    client_token: str = ""
    """ClientToken of the call that created the image, for idempotent retries."""
    client_token_digest: str = ""
    """Digest of that call's other parameters: a retry with other parameters is refused."""

    @property
    def key(self) -> str:
        return f"{self.region_id}/{self.image_id}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    snapshot_id: str
    region_id: str
    owner_id: str
    source_disk_id: str
    source_disk_type: Literal["system", "data"]
    size: int
    creation_time: str
    snapshot_name: str = ""
    encrypted: bool = False
    automatic: bool = False
    """An automatic snapshot (policy-made) rather than a manual one."""
    release_with_disk: bool = False
    source_disk_released: bool = False
    pending_end: float = 0.0
    """Epoch seconds when the snapshot finishes (0: done)."""
    pending_start: float = 0.0
    description: str = ""


@dataclass(frozen=True, slots=True)
class Disk:
    disk_id: str
    region_id: str
    owner_id: str
    disk_type: Literal["system", "data"]
    category: str
    size: int
    creation_time: str
    instance_id: str = ""
    device: str = ""
    image_id: str = ""
    status: str = "In_use"
    encrypted: bool = False
    disk_name: str = ""
    source_snapshot_id: str = ""
    delete_with_instance: bool | None = None
    """Released with its instance; None: as before this was modelled (system yes, data no)."""
    tags: tuple[Tag, ...] = ()
    description: str = ""
    performance_level: str = ""
    zone_id: str = ""


@dataclass(frozen=True, slots=True)
class Instance:
    instance_id: str
    region_id: str
    owner_id: str
    instance_name: str
    instance_type: str
    image_id: str
    status: str
    os_type: str
    creation_time: str
    charge_type: Literal["PrePaid", "PostPaid"] = "PostPaid"
    system_disk_id: str = ""
    key_pair_name: str = ""
    private_ip: str = ""
    mac_address: str = ""
    locked_for_security: bool = False
    unpaid_order: bool = False
    expired: bool = False
    zone_id: str = ""
    os_name: str = ""
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True, slots=True)
class InstanceType:
    instance_type_id: str
    family: str
    cpu_core_count: int
    memory_size: float
    """GiB."""
    architecture: Literal["X86", "ARM"]
    price_per_hour: float
    """Illustrative list price in CNY, pay-as-you-go."""
    io_optimized: bool = True


@dataclass(frozen=True, slots=True)
class KeyPair:
    key_pair_name: str
    region_id: str
    owner_id: str
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class MarketplaceProduct:
    product_code: str
    product_name: str
    supplier_name: str
    pricing_model: Literal["free", "one_time", "subscription", "hourly"]
    price: float
    """CNY: per use for one_time, per month for subscription, per hour for hourly."""
    regions: tuple[str, ...]
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Purchase:
    purchase_id: str
    account_id: str
    product_code: str
    region_id: str
    purchased_time: str
    used_by_instance_id: str = ""


@dataclass(frozen=True, slots=True)
class PriceBook:
    """Illustrative list prices; licence prices are read from here, never hard-coded."""

    currency: str = "CNY"
    note: str = "Illustrative list prices for the demo catalogue, not Alibaba Cloud's."
    licence_per_vcpu_hour: dict[str, float] = field(default_factory=dict)
    """Licence price by paid OS (windows, rhel, suse) per vCPU per hour."""
    windows_licence_outside_mainland_only: bool = True
    snapshot_per_gib_month: dict[str, float] = field(default_factory=dict)
    """Snapshot storage price by region; ``*`` is the default."""
    disk_per_gib_month: dict[str, float] = field(default_factory=dict)
    """Disk price by category."""
    source: str = ""
    """Where a user-supplied book was read (a real account's, from the config file); empty
    for the demo catalogue's own book."""


@dataclass(frozen=True, slots=True)
class Task:
    task_id: str
    region_id: str
    owner_id: str
    task_action: str
    """ImportImage, ExportImage, CopyImage or CreateImage."""
    resource_id: str
    """The image the task works on (``region/image_id`` is ``region_id`` + this)."""
    creation_time: str
    start_at: float
    end_at: float
    status: str = "Processing"
    """Processing, Finished, Cancelled or Failed; Waiting is derived from ``start_at``."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One mutating call: who, what, with which parameters, and how it ended."""

    event_id: str
    time: str
    profile: str
    account_id: str
    action: str
    params: dict[str, str]
    code: str
    request_id: str
    resource_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogueSettings:
    """Catalogue-wide settings kept in the catalogue itself."""

    task_seconds_per_gib: float = 0.5
    current_profile: str = "default"
