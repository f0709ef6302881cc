"""Reference data every catalogue holds: regions, accounts, profiles, instance types, prices."""

from __future__ import annotations

from ecsimg.domain.models import (
    Account,
    CatalogueSettings,
    InstanceType,
    PriceBook,
    Profile,
)
from ecsimg.domain.regions import REGIONS
from ecsimg.store import tables
from ecsimg.store.repository import Transaction

OPS = "1234567890123456"
DEV = "2345678901234567"
PARTNER = "3456789012345678"
DIRECTORY_ACCOUNT_IDS = tuple(str(6000000000000000 + n) for n in range(1, 101))

ACCOUNTS = (
    Account(OPS, "ops-china", "china", community_terms_signed=True),
    Account(DEV, "dev-team", "china"),
    Account(PARTNER, "partner-intl", "international", export_role_authorized=False),
    *(Account(uid, f"directory-{n:03d}", "japan" if n % 10 == 0 else
              ("international" if n % 3 == 0 else "china"))
      for n, uid in enumerate(DIRECTORY_ACCOUNT_IDS, 1)),
)

PROFILES = (
    Profile("default", OPS, "cn-hangzhou"),
    Profile("dev", DEV, "cn-shanghai"),
    Profile("partner", PARTNER, "ap-southeast-1"),
    Profile("audit", OPS, "cn-hangzhou", read_only=True),
)

# (type, family, vCPU, memory GiB, arch, CNY per hour): illustrative list prices.
_TYPES = (
    ("ecs.t5-lc2m1.nano", "ecs.t5", 1, 0.5, "X86", 0.06),
    ("ecs.t6-c1m1.large", "ecs.t6", 2, 2.0, "X86", 0.17),
    ("ecs.n4.small", "ecs.n4", 1, 2.0, "X86", 0.22),
    ("ecs.c7.large", "ecs.c7", 2, 4.0, "X86", 0.43),
    ("ecs.c7.xlarge", "ecs.c7", 4, 8.0, "X86", 0.86),
    ("ecs.g7.large", "ecs.g7", 2, 8.0, "X86", 0.55),
    ("ecs.g7.xlarge", "ecs.g7", 4, 16.0, "X86", 1.10),
    ("ecs.g7.2xlarge", "ecs.g7", 8, 32.0, "X86", 2.20),
    ("ecs.g7.16xlarge", "ecs.g7", 64, 256.0, "X86", 17.60),
    ("ecs.r7.large", "ecs.r7", 2, 16.0, "X86", 0.74),
    ("ecs.g8i.large", "ecs.g8i", 2, 8.0, "X86", 0.60),
    ("ecs.g8y.large", "ecs.g8y", 2, 8.0, "ARM", 0.46),
    ("ecs.g8y.xlarge", "ecs.g8y", 4, 16.0, "ARM", 0.92),
    ("ecs.c8y.large", "ecs.c8y", 2, 4.0, "ARM", 0.36),
)
INSTANCE_TYPES = tuple(
    InstanceType(type_id, family, cpu, mem, arch, price)  # type: ignore[arg-type]
    for type_id, family, cpu, mem, arch, price in _TYPES
)

PRICE_BOOK = PriceBook(
    licence_per_vcpu_hour={"windows": 0.12, "rhel": 0.10, "suse": 0.08},
    snapshot_per_gib_month={"*": 0.12, "cn-hangzhou": 0.12, "ap-southeast-1": 0.16},
    disk_per_gib_month={"cloud": 0.30, "cloud_efficiency": 0.35, "cloud_ssd": 1.0,
                        "cloud_essd": 1.0, "cloud_auto": 1.0},
)


def write_base(tx: Transaction, task_seconds_per_gib: float = 0.5) -> None:
    """Put the reference data into an empty catalogue."""
    for region in REGIONS:
        tx.put(tables.REGIONS, region)
    for account in ACCOUNTS:
        tx.put(tables.ACCOUNTS, account)
    for profile in PROFILES:
        tx.put(tables.PROFILES, profile)
    for instance_type in INSTANCE_TYPES:
        tx.put(tables.INSTANCE_TYPES, instance_type)
    tx.put(tables.PRICE_BOOK, PRICE_BOOK)
    tx.put(tables.SETTINGS, CatalogueSettings(task_seconds_per_gib=task_seconds_per_gib))
