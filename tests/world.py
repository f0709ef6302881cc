"""A small catalogue built record by record, so each rule test states the world it needs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

from ecsimg import service
from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.domain.ids import IdFactory
from ecsimg.service.backend import Backend
from ecsimg.service.simulator import SimulatorBackend
from ecsimg.store import tables
from ecsimg.store.demo import base
from ecsimg.store.memstore import MemoryRepository
from ecsimg.store.repository import Repository
from ecsimg.store.tinystore import TinyRepository

OPS, DEV, PARTNER = base.OPS, base.DEV, base.PARTNER
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
Storage = Literal["tinydb", "memory"]
STORAGES: tuple[Storage, ...] = ("tinydb", "memory")


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class World:
    """A catalogue with the demo's accounts, profiles and types, in ``root / "catalogue"``
    or in memory standing for that folder (the OSS buckets are files beside it either way)."""

    def __init__(self, root: Path, pace: float = 1.0, storage: Storage = "tinydb") -> None:
        self.storage = storage
        self.repo: Repository = (TinyRepository(root / "catalogue") if storage == "tinydb"
                                 else MemoryRepository(root / "catalogue"))
        self.clock = FakeClock()
        self.ids = IdFactory(seed=7)
        self.pace = pace
        with self.repo.transaction() as tx:
            base.write_base(tx, task_seconds_per_gib=pace)

    # -- calling the service ---------------------------------------------------------------

    def backend(self, profile: str = "default", read_only: bool = False) -> Backend:
        """The simulator backend on this catalogue, as the UI and the CLI receive it."""
        return SimulatorBackend(self.ctx(profile, read_only))

    def ctx(self, profile: str = "default", read_only: bool = False) -> service.Context:
        with self.repo.read() as view:
            found = view.get(tables.PROFILES, profile)
        assert found is not None, profile
        return service.Context(
            self.repo,
            found,
            read_only=read_only,
            clock=self.clock,
            ids=self.ids,
            task_seconds_per_gib=self.pace,
        )

    def call(
        self,
        action: str,
        params: dict[str, Any] | None = None,
        *,
        profile: str = "default",
        read_only: bool = False,
        **kw: Any,
    ) -> dict[str, Any]:
        merged = {k: _text(v) for k, v in {**(params or {}), **kw}.items()}
        return service.call(self.ctx(profile, read_only), action, merged)

    def error(
        self,
        action: str,
        params: dict[str, Any] | None = None,
        *,
        profile: str = "default",
        read_only: bool = False,
        **kw: Any,
    ) -> ApiError:
        """Call and expect an API error; fails the test if the call succeeds."""
        try:
            body = self.call(action, params, profile=profile, read_only=read_only, **kw)
        except ApiError as err:
            return err
        raise AssertionError(f"{action} succeeded but an error was expected: {body}")

    def advance(self, seconds: float) -> None:
        self.clock.now += seconds

    # -- building records ------------------------------------------------------------------

    def put(self, table: tables.Table[Any], obj: Any) -> Any:
        with self.repo.transaction() as tx:
            tx.put(table, obj)
        return obj

    def get_image(self, image_id: str, region: str = "cn-hangzhou") -> m.Image | None:
        with self.repo.read() as view:
            return view.get(tables.IMAGES, f"{region}/{image_id}")

    def snapshot(
        self,
        *,
        owner: str = OPS,
        region: str = "cn-hangzhou",
        size: int = 40,
        disk_type: str = "system",
        **kw: Any,
    ) -> m.Snapshot:
        snap = m.Snapshot(
            snapshot_id=kw.pop("snapshot_id", self.ids.snapshot()),
            region_id=region,
            owner_id=owner,
            source_disk_id=kw.pop("source_disk_id", self.ids.disk()),
            source_disk_type=disk_type,  # type: ignore[arg-type]
            size=size,
            creation_time=kw.pop("creation_time", "2025-06-01T00:00:00Z"),
            **kw,
        )
        return self.put(tables.SNAPSHOTS, snap)  # type: ignore[no-any-return]

    def image(
        self,
        *,
        owner: str = OPS,
        region: str = "cn-hangzhou",
        size: int = 40,
        data_disks: tuple[int, ...] = (),
        **kw: Any,
    ) -> m.Image:
        """A custom image (by default), with its snapshots in the catalogue."""
        system = self.snapshot(owner=owner or OPS, region=region, size=size)
        mappings = [m.DiskMapping("/dev/xvda", "system", size, system.snapshot_id)]
        for n, data_size in enumerate(data_disks):
            snap = self.snapshot(
                owner=owner or OPS, region=region, size=data_size, disk_type="data"
            )
            mappings.append(
                m.DiskMapping(f"/dev/xvd{chr(ord('b') + n)}", "data", data_size, snap.snapshot_id)
            )
        image_id = kw.pop("image_id", self.ids.image())
        fields: dict[str, Any] = dict(
            region_id=region,
            image_id=image_id,
            image_name=kw.pop("image_name", f"img-{image_id[2:8]}"),
            owner_kind="custom",
            owner_id=owner,
            os_type="linux",
            platform="Aliyun",
            os_name="Alibaba Cloud Linux 3.2104 LTS 64位",
            os_name_en="Alibaba Cloud Linux 3.2104 LTS 64 bit",
            architecture="x86_64",
            size=size,
            creation_time="2025-06-01T00:00:00Z",
            disk_mappings=tuple(mappings),
        )
        fields.update(kw)
        return self.put(tables.IMAGES, m.Image(**fields))  # type: ignore[no-any-return]

    def public_image(
        self,
        *,
        region: str = "cn-hangzhou",
        os_type: str = "linux",
        image_id: str = "aliyun_3_x64_20G_alibase_20250101.vhd",
        size: int = 20,
        **kw: Any,
    ) -> m.Image:
        fields: dict[str, Any] = dict(
            region_id=region,
            image_id=image_id,
            image_name=kw.pop("image_name", image_id[:-4]),
            owner_kind="system",
            owner_id="",
            os_type=os_type,
            platform="Windows Server 2022" if os_type == "windows" else "Aliyun",
            os_name="Windows Server 2022 数据中心版 64位中文版"
            if os_type == "windows"
            else "Alibaba Cloud Linux 3",
            os_name_en="Windows Server 2022 Datacenter 64-bit"
            if os_type == "windows"
            else "Alibaba Cloud Linux 3",
            architecture="x86_64",
            size=size,
            creation_time="2025-01-01T00:00:00Z",
            disk_mappings=(m.DiskMapping("/dev/xvda", "system", size),),
            license_os="windows" if os_type == "windows" else "",
        )
        fields.update(kw)
        return self.put(tables.IMAGES, m.Image(**fields))  # type: ignore[no-any-return]

    def marketplace_image(
        self,
        *,
        region: str = "cn-hangzhou",
        product_code: str = "cmjj000001",
        pricing_model: str = "one_time",
        price: float = 10.0,
        regions: tuple[str, ...] = ("cn-hangzhou",),
        **kw: Any,
    ) -> m.Image:
        self.put(
            tables.PRODUCTS,
            m.MarketplaceProduct(
                product_code,
                "LNMP stack",
                "Example ISV",
                pricing_model,  # type: ignore[arg-type]
                price,
                regions,
            ),
        )
        fields: dict[str, Any] = dict(
            region_id=region,
            image_id=kw.pop("image_id", self.ids.image()),
            image_name="LNMP-on-CentOS",
            owner_kind="marketplace",
            owner_id="",
            os_type="linux",
            platform="CentOS",
            os_name="CentOS 7.9 64位",
            os_name_en="CentOS 7.9 64 bit",
            architecture="x86_64",
            size=40,
            creation_time="2025-01-01T00:00:00Z",
            disk_mappings=(m.DiskMapping("/dev/xvda", "system", 40),),
            product_code=product_code,
            supplier_name="Example ISV",
        )
        fields.update(kw)
        return self.put(tables.IMAGES, m.Image(**fields))  # type: ignore[no-any-return]

    def instance(
        self,
        *,
        owner: str = OPS,
        region: str = "cn-hangzhou",
        image_id: str = "",
        status: str = "Stopped",
        instance_type: str = "ecs.g7.large",
        system_size: int = 40,
        os_type: str = "linux",
        **kw: Any,
    ) -> m.Instance:
        instance_id = kw.pop("instance_id", self.ids.instance())
        disk = m.Disk(
            self.ids.disk(),
            region,
            owner,
            "system",
            kw.pop("category", "cloud_essd"),
            system_size,
            "2025-06-01T00:00:00Z",
            instance_id=instance_id,
            device="/dev/xvda",
            image_id=image_id,
        )
        self.put(tables.DISKS, disk)
        inst = m.Instance(
            instance_id,
            region,
            owner,
            kw.pop("instance_name", "web-1"),
            instance_type,
            image_id,
            status,
            os_type,
            "2025-06-01T00:00:00Z",
            system_disk_id=disk.disk_id,
            **kw,
        )
        return self.put(tables.INSTANCES, inst)  # type: ignore[no-any-return]

    def data_disk(self, instance: m.Instance, size: int = 100, device: str = "/dev/xvdb") -> m.Disk:
        disk = m.Disk(
            self.ids.disk(),
            instance.region_id,
            instance.owner_id,
            "data",
            "cloud_essd",
            size,
            "2025-06-01T00:00:00Z",
            instance_id=instance.instance_id,
            device=device,
        )
        return self.put(tables.DISKS, disk)  # type: ignore[no-any-return]

    def update(self, table: tables.Table[Any], obj: Any, **changes: Any) -> Any:
        return self.put(table, dataclasses.replace(obj, **changes))


def demo_repository(folder: Path, storage: str, **seed: Any) -> Repository:
    """The demo catalogue (``seed`` as for ``seed_catalogue``) in ``folder`` on TinyDB, or in
    memory standing for that folder."""
    from ecsimg.store.demo.seed import fill_demo, seed_catalogue

    if storage == "tinydb":
        on_disk = TinyRepository(folder)
        seed_catalogue(on_disk, **seed)
        return on_disk
    in_memory = MemoryRepository(folder)
    fill_demo(in_memory, **seed)
    return in_memory


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
