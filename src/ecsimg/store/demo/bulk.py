"""Generated custom images for ``seed --images N``: realistic, within every limit, seeded."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.regions import REGIONS
from ecsimg.store import tables
from ecsimg.store.demo.base import ACCOUNTS, DEV, OPS, PARTNER
from ecsimg.store.demo.builder import DemoBuilder, DiskSpec
from ecsimg.store.demo.market import LISTINGS
from ecsimg.store.demo.public import TEMPLATES

SHARE_ACCOUNTS_LIMIT = 50
GENERATED_RECEIVE_CAP = 80
"""Generated shares stop at 80 received per account, below the limit of 100, so a user of a
large demo catalogue can still share with any account."""
FAMILY_IMAGES_LIMIT = 100
REGION_FAMILIES_LIMIT = 100
SPREAD_SLOT_LIMIT = 90
"""Generated images per account per region outside OPS's cn-hangzhou: under the quota of
100, so every account can still create images there."""
OPS_SHARE = 0.85
"""The part of the generated images that OPS holds in cn-hangzhou, the benchmark's region."""

# (name stem, family stem); the stems mix ASCII and CJK as real catalogues do.
_STEMS = (
    ("web-prod", "web-prod"), ("api-gateway", "api-gateway"), ("nginx-base", "base-os"),
    ("k8s-node", "k8s-node"), ("redis-cache", "数据库"), ("mysql-replica", "数据库"),
    ("jenkins-agent", "ci"), ("elk-logging", "logging"), ("kafka-broker", "中间件"),
    ("spark-worker", "大数据"), ("gitlab-runner", "ci"), ("tomcat-app", "java-app"),
    ("golang-build", "ci"), ("python-ml", "ai-training"), ("prometheus", "monitoring"),
    ("bastion-host", "安全基线"), ("haproxy-lb", "web-prod"), ("mongodb-shard", "数据库"),
    ("生产环境-Web服务器", "web-prod"), ("测试环境-应用服务器", "test-env"),
    ("数据库-主库", "数据库"), ("数据库-从库", "数据库"), ("大数据-计算节点", "大数据"),
    ("日志服务器", "logging"), ("支付网关", "支付"), ("订单服务", "交易"),
    ("用户中心", "交易"), ("风控引擎", "风控"), ("推荐系统", "ai-training"),
    ("监控代理", "monitoring"), ("堡垒机", "安全基线"), ("缓存集群", "数据库"),
    ("消息队列", "中间件"), ("开发环境-基础镜像", "base-os"),
)
_OS_WEIGHTS = (
    ("aliyun3", 30), ("ubuntu2204", 12), ("centos7", 10), ("anolis8", 8), ("ubuntu2404", 6),
    ("debian12", 6), ("rocky9", 5), ("alma9", 4), ("centos_stream9", 2), ("aliyun2", 3),
    ("win2022_zh-CN", 4), ("win2019_zh-CN", 2), ("win2022_en-US", 1), ("rhel9", 3),
    ("rhel8", 1), ("sles15", 2), ("opensuse15", 1),
)
_TAGS = (
    ("env", ("prod", "prod", "staging", "test", "dev")),
    ("team", ("web", "api", "data", "infra", "ai", "安全", "运维", "支付")),
    ("project", ("mall", "crm", "erp", "大促-2025", "bigdata", "官网")),
    ("cost-center", ("CC-1024", "CC-2048", "CC-3072", "CC-4096")),
    ("owner", ("zhang.wei", "李娜", "wang.fang", "刘洋", "chen.jie")),
)
_SYSTEM_SIZES = (20, 40, 40, 40, 40, 50, 60, 80, 100, 200)
_DATA_SIZES = (40, 100, 100, 200, 500, 1000)
_SHARE_WIDTHS = (1, 1, 1, 1, 2, 2, 3, 5, 10, 20, 45)


@dataclass
class _Limits:
    """What the catalogue already holds, so generated images stay within every limit."""

    slots: Counter[tuple[str, str]] = field(default_factory=Counter)
    serials: dict[tuple[str, str, str], int] = field(default_factory=dict)
    names: set[tuple[str, str, str]] = field(default_factory=set)
    """(owner, region, name) of every custom image: names are unique there (Rule 30)."""
    families: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    received: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, b: DemoBuilder) -> _Limits:
        limits = cls()
        for image in b.all(tables.IMAGES):
            for share in image.shares:
                limits.received[share.account_id] += 1
            if image.owner_kind != "custom":
                continue
            limits.slots[(image.owner_id, image.region_id)] += 1
            limits.names.add((image.owner_id, image.region_id, image.image_name))
            if image.image_family:
                limits.families[image.region_id][image.image_family] += 1
        return limits


class BulkGenerator:
    """Adds custom images one by one, drawing every choice from the builder's seeded RNG."""

    def __init__(self, b: DemoBuilder) -> None:
        self.b = b
        self.limits = _Limits.of(b)
        self.region_ids = [r.region_id for r in REGIONS]
        self.account_ids = [a.account_id for a in ACCOUNTS]
        self.site_of = {a.account_id: a.site for a in ACCOUNTS}
        self.directory_ids = self.account_ids[3:]
        os_keys = [key for key, weight in _OS_WEIGHTS for _ in range(weight)]
        self.os_keys = os_keys
        self.products_by_region: dict[str, list[m.MarketplaceProduct]] = defaultdict(list)
        for listing in LISTINGS:
            if not listing.product.removed:
                for region_id in listing.product.regions:
                    self.products_by_region[region_id].append(listing.product)
        self.family_serials: dict[tuple[str, str], int] = {}
        """The first family of each stem per region that may still have room."""
        self.earlier: dict[str, list[m.Image]] = defaultdict(list)
        """Some earlier images per owner, sources for copies in other regions."""

    def add(self, count: int) -> None:
        for _ in range(count):
            self._add_one()

    # -- choices -----------------------------------------------------------------------------

    def _slot(self) -> tuple[str, str]:
        rng = self.b.rng
        if rng.random() < OPS_SHARE:
            return OPS, "cn-hangzhou"
        pick = rng.random()
        if pick < 0.25:
            owner_id, region_id = OPS, rng.choice(self.region_ids)
        elif pick < 0.45:
            owner_id = DEV
            region_id = "cn-shanghai" if rng.random() < 0.5 else rng.choice(self.region_ids)
        elif pick < 0.6:
            owner_id = PARTNER
            region_id = "ap-southeast-1" if rng.random() < 0.5 else rng.choice(self.region_ids)
        else:
            owner_id, region_id = rng.choice(self.directory_ids), rng.choice(self.region_ids)
        if self.limits.slots[(owner_id, region_id)] >= SPREAD_SLOT_LIMIT:
            return OPS, "cn-hangzhou"
        return owner_id, region_id

    def _name(self, owner_id: str, region_id: str, stem: str) -> str:
        key = (owner_id, region_id, stem)
        serial = self.limits.serials.get(key, 0)
        while True:
            serial += 1
            name = f"{stem}-v{serial}"
            if (owner_id, region_id, name) not in self.limits.names:
                break
        self.limits.serials[key] = serial
        self.limits.names.add((owner_id, region_id, name))
        return name

    def _family(self, region_id: str, family_stem: str) -> str:
        """A family with room in the region, or empty when the region's families are full."""
        families = self.limits.families[region_id]
        n = self.family_serials.get((region_id, family_stem), 1)
        while True:
            name = family_stem if n == 1 else f"{family_stem}-{n}"
            held = families.get(name, 0)
            if held == 0 and len(families) >= REGION_FAMILIES_LIMIT:
                return ""
            if held < FAMILY_IMAGES_LIMIT:
                break
            n += 1
        self.family_serials[(region_id, family_stem)] = n
        families[name] += 1
        return name

    def _tags(self) -> tuple[m.Tag, ...]:
        rng = self.b.rng
        chosen = rng.sample(_TAGS, rng.choice((0, 1, 2, 2, 3, 3, 4)))
        return tuple(m.Tag(key, rng.choice(values)) for key, values in chosen)

    def _disks(self, minimum: int) -> tuple[DiskSpec, ...]:
        rng = self.b.rng
        sizes = [max(minimum, rng.choice(_SYSTEM_SIZES))]
        roll = rng.random()
        sizes += [rng.choice(_DATA_SIZES) for _ in range(3 if roll < 0.02 else 2 if roll < 0.1
                                                          else 1 if roll < 0.3 else 0)]
        return tuple(DiskSpec(size, max(1, int(size * rng.uniform(0.2, 0.9)))) for size in sizes)

    # -- one image ---------------------------------------------------------------------------

    def _add_one(self) -> None:
        b, rng = self.b, self.b.rng
        owner_id, region_id = self._slot()
        self.limits.slots[(owner_id, region_id)] += 1
        os_key = rng.choice(self.os_keys)
        arm = rng.random() < 0.15 and (os_key, "arm64") in TEMPLATES
        base = TEMPLATES[(os_key, "arm64" if arm else "x86_64")]
        stem, family_stem = rng.choice(_STEMS)
        roll = rng.random()
        status = (m.DEPRECATED if roll < 0.04 else m.CREATE_FAILED if roll < 0.055
                  else m.UNAVAILABLE if roll < 0.07 else m.AVAILABLE)
        age_days = rng.uniform(1.0, 730.0)
        extra: dict[str, Any] = {}
        key_roll = rng.random()
        if key_roll < 0.04:
            extra.update(encrypted=True, key_kind="cmk")
        elif key_roll < 0.06:
            extra.update(encrypted=True, key_kind="service")
        products = self.products_by_region.get(region_id, ())
        if products and rng.random() < 0.02:
            chosen = rng.choice(products)
            extra.update(product_code=chosen.product_code, supplier_name=chosen.supplier_name)
        earlier = [i for i in self.earlier[owner_id][-8:] if i.region_id != region_id]
        if earlier and rng.random() < 0.03:
            extra.update(is_copied=True, copied_from=rng.choice(earlier).key)
        if rng.random() < 0.4:
            extra["image_family"] = self._family(region_id, family_stem)
        image = b.custom_image(
            owner_id, region_id, self._name(owner_id, region_id, stem), base,
            age_days=age_days, disks=self._disks(base.size), status=status,
            tags=self._tags(), image_version=f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
            **extra)
        if status == m.AVAILABLE and not image.encrypted and not image.product_code:
            image = self._publish_or_share(image, age_days)
        if rng.random() < 0.05:
            self.earlier[owner_id].append(image)

    def _publish_or_share(self, image: m.Image, age_days: float) -> m.Image:
        """Community images are published by accounts that signed the terms; shares stay within
        both limits (50 accounts per image; 100 images per recipient, generated up to 80)."""
        rng = self.b.rng
        roll = rng.random()
        if roll < 0.003 and image.owner_id in (OPS, DEV):
            return self.b.put(tables.IMAGES, replace(image, is_public=True))
        if roll > 0.05:
            return image
        width = min(rng.choice(_SHARE_WIDTHS), SHARE_ACCOUNTS_LIMIT)
        received = self.limits.received
        targets: list[str] = []
        for _ in range(width * 3):
            if len(targets) >= width:
                break
            uid = rng.choice(self.account_ids)
            fits = received[uid] < GENERATED_RECEIVE_CAP
            if uid != image.owner_id and uid not in targets and fits:
                targets.append(uid)
        if not targets:
            return image
        for uid in targets:
            received[uid] += 1
        return self.b.share(image, targets, rng.uniform(0.5, age_days))


def add_bulk_images(b: DemoBuilder, count: int) -> None:
    """Add ``count`` generated custom images to the builder."""
    b.fast_ids = True
    try:
        BulkGenerator(b).add(count)
    finally:
        b.fast_ids = False
