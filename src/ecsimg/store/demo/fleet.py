"""The demo's instances with their disks, key pairs and marketplace purchases."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.store import tables
from ecsimg.store.demo.base import DEV, OPS, PARTNER
from ecsimg.store.demo.builder import DemoBuilder, DiskSpec, zone_of
from ecsimg.store.demo.custom import HZ, SG, SH, Handles
from ecsimg.store.demo.public import public_id, template

MarketImages = dict[tuple[str, str], m.Image]


@dataclass(frozen=True, slots=True)
class Launch:
    """An instance to create: where, of which type, from which image, in which state."""

    owner_id: str
    name: str
    instance_type: str
    image: m.Image
    status: str
    age_days: float
    data_disks: tuple[int, ...] = ()
    key_pair_name: str = ""
    charge_type: str = "PostPaid"
    locked_for_security: bool = False
    unpaid_order: bool = False


def _public(region_id: str, key: str, arch: str = "x86_64") -> m.Image:
    return replace(template(key, arch), region_id=region_id, image_id=public_id(key, arch))


def launch(b: DemoBuilder, spec: Launch) -> m.Instance:
    """Put the instance, its system disk and its data disks (data mappings of the image first)."""
    image = spec.image
    region_id = image.region_id
    instance_id = b.ids.instance()
    created = b.days_ago(spec.age_days)
    system = b.put(tables.DISKS, m.Disk(
        b.ids.disk(), region_id, spec.owner_id, "system", "cloud_essd", max(40, image.size),
        created, instance_id=instance_id, device="/dev/xvda", image_id=image.image_id,
        encrypted=image.encrypted, disk_name=f"{spec.name}-system"))
    data_sources = [(d.size, d.snapshot_id) for d in image.disk_mappings if d.disk_type == "data"]
    data_sources += [(size, "") for size in spec.data_disks]
    for n, (size, snapshot_id) in enumerate(data_sources):
        b.put(tables.DISKS, m.Disk(
            b.ids.disk(), region_id, spec.owner_id, "data", "cloud_essd", size, created,
            instance_id=instance_id, device=f"/dev/xvd{chr(ord('b') + n)}",
            encrypted=image.encrypted, disk_name=f"{spec.name}-data{n + 1}",
            source_snapshot_id=snapshot_id))
    rng = b.rng
    return b.put(tables.INSTANCES, m.Instance(
        instance_id, region_id, spec.owner_id, spec.name, spec.instance_type, image.image_id,
        spec.status, image.os_type, created,
        charge_type="PrePaid" if spec.charge_type == "PrePaid" else "PostPaid",
        system_disk_id=system.disk_id, key_pair_name=spec.key_pair_name,
        private_ip=f"172.16.{rng.randint(0, 255)}.{rng.randint(2, 254)}",
        mac_address="00:16:3e:" + ":".join(f"{rng.randint(0, 255):02x}" for _ in range(3)),
        locked_for_security=spec.locked_for_security, unpaid_order=spec.unpaid_order,
        zone_id=zone_of(region_id), os_name=image.os_name))


def _launches(h: Handles, market: MarketImages) -> list[Launch]:
    running, stopped = "Running", "Stopped"
    return [
        Launch(OPS, "web-prod-01", "ecs.g7.large", h["web_v3"], running, 36,
               key_pair_name="ops-admin", charge_type="PrePaid"),
        Launch(OPS, "web-prod-02", "ecs.g7.large", h["web_v3"], running, 36,
               key_pair_name="ops-admin", charge_type="PrePaid"),
        Launch(OPS, "db-master-01", "ecs.r7.large", h["mysql"], stopped, 110,
               key_pair_name="ops-admin"),
        Launch(OPS, "bt-panel-01", "ecs.c7.large", market[("cmjj028279", HZ)], running, 50,
               key_pair_name="deploy-ci"),
        Launch(OPS, "ad-dc-01", "ecs.g7.xlarge", h["windows"], running, 200, data_disks=(100,)),
        Launch(OPS, "test-ecs-01", "ecs.t6-c1m1.large", _public(HZ, "aliyun3"), stopped, 10,
               key_pair_name="ops-admin"),
        Launch(OPS, "test-arm-01", "ecs.g8y.large", _public(HZ, "ubuntu2204", "arm64"),
               stopped, 9, key_pair_name="ops-admin"),
        Launch(OPS, "risk-scan-01", "ecs.c7.large", _public(HZ, "centos7"), stopped, 80,
               locked_for_security=True),
        Launch(OPS, "billing-hold-01", "ecs.g7.large", h["nginx_test"], stopped, 14,
               charge_type="PrePaid", unpaid_order=True),
        Launch(OPS, "toolbox-01", "ecs.t6-c1m1.large", h["dev_toolbox"], running, 20,
               key_pair_name="deploy-ci"),
        Launch(OPS, "k8s-arm-node-01", "ecs.g8y.xlarge", h["k8s_arm"], running, 25,
               data_disks=(200,)),
        Launch(OPS, "web-sh-01", "ecs.g7.large", h["web_v3_copy"], running, 30),
        Launch(DEV, "dev-api-01", "ecs.c7.large", h["dev_api"], running, 11),
        Launch(DEV, "dev-java-01", "ecs.g7.large", h["dev_java"], stopped, 40),
        Launch(DEV, "dev-wp-01", "ecs.g7.large", market[("cmjj000541", SH)], running, 45,
               charge_type="PrePaid"),
        Launch(DEV, "dev-cache-01", "ecs.r7.large", h["dev_hz_cache"], stopped, 7),
        Launch(PARTNER, "partner-gw-01", "ecs.g8i.large", h["partner_gw"], running, 15),
        Launch(PARTNER, "partner-erp-01", "ecs.g7.2xlarge", h["partner_win"], stopped, 60),
        Launch(PARTNER, "partner-gitlab-01", "ecs.g7.xlarge", market[("cmjj031577", SG)],
               running, 40),
    ]


_PURCHASES = (
    # (owner, product, region, used by the instance named, days ago)
    (OPS, "cmjj028279", HZ, "bt-panel-01", 50),
    (OPS, "cmjj028279", HZ, "", 20),
    (OPS, "cmjj000132", HZ, "", 33),
    (OPS, "cmjj000132", HZ, "", 33),
    (OPS, "cmjj010243", HZ, "", 12),
    (DEV, "cmjj000541", SH, "dev-wp-01", 45),
    (DEV, "cmjj000541", SH, "", 3),
    (PARTNER, "cmjj031577", SG, "partner-gitlab-01", 40),
)

_KEY_PAIRS = ((OPS, HZ, "ops-admin"), (OPS, HZ, "deploy-ci"), (DEV, SH, "dev-key"),
              (PARTNER, SG, "partner-ops"))


def add_fleet(b: DemoBuilder, h: Handles, market: MarketImages) -> dict[str, m.Instance]:
    """Instances (by name), key pairs and purchases; also the image being created right now."""
    for owner_id, region_id, name in _KEY_PAIRS:
        fingerprint = ":".join(f"{b.rng.randint(0, 255):02x}" for _ in range(16))
        b.put(tables.KEY_PAIRS, m.KeyPair(name, region_id, owner_id, fingerprint))
    instances = {spec.name: launch(b, spec) for spec in _launches(h, market)}
    for owner_id, code, region_id, used_by, days in _PURCHASES:
        used = instances[used_by].instance_id if used_by else ""
        b.put(tables.PURCHASES, m.Purchase(b.ids.resource("p"), owner_id, code, region_id,
                                           b.days_ago(days), used_by_instance_id=used))
    _add_instance_snapshots(b, instances)
    _add_image_in_creation(b, h, instances["web-prod-01"])
    return instances


def _add_instance_snapshots(b: DemoBuilder, instances: dict[str, m.Instance]) -> None:
    """An automatic and a manual snapshot that no image uses."""
    disks = {d.instance_id + d.device: d for d in b.all(tables.DISKS)}
    db_data = disks[instances["db-master-01"].instance_id + "/dev/xvdb"]
    test_system = disks[instances["test-ecs-01"].instance_id + "/dev/xvda"]
    b.put(tables.SNAPSHOTS, m.Snapshot(
        b.ids.snapshot(), HZ, OPS, db_data.disk_id, "data", 230, b.days_ago(1),
        snapshot_name="auto_20250630_1", encrypted=db_data.encrypted, automatic=True,
        release_with_disk=True))
    b.put(tables.SNAPSHOTS, m.Snapshot(
        b.ids.snapshot(), HZ, OPS, test_system.disk_id, "system", 12, b.days_ago(4),
        snapshot_name="before-kernel-upgrade"))


def _add_image_in_creation(b: DemoBuilder, h: Handles, source: m.Instance) -> None:
    """CreateImage from web-prod-01, a third of the way through (Rules 18, 27)."""
    disks = sorted((d for d in b.all(tables.DISKS) if d.instance_id == source.instance_id),
                   key=lambda d: d.device)
    size = sum(d.size for d in disks)
    window = b.pending_window(size, started_ago=size * b.pace / 3)
    task_id = b.ids.task()
    h["web_v4"] = b.custom_image(
        OPS, HZ, "生产环境-Web服务器-v4", template("aliyun3"), age_days=0,
        disks=tuple(DiskSpec(d.size, max(1, d.size * 2 // 3)) for d in disks),
        source_disk_ids=tuple(d.disk_id for d in disks), source_instance_id=source.instance_id,
        image_family="web-prod", image_version="4.0.0-rc1",
        tags=(m.Tag("env", "prod"), m.Tag("team", "web")),
        pending_start=window[0], pending_end=window[1], snapshot_window=window,
        creation_time=iso(window[0]), task_id=task_id)
    b.put(tables.TASKS, m.Task(task_id, HZ, OPS, "CreateImage", h["web_v4"].image_id,
                               iso(window[0]), window[0], window[1],
                               status="Processing" if window[1] > b.now else "Finished"))
