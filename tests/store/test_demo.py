"""The demo catalogue and ``seed --images N``: content, invariants, determinism, wiping."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import orjson
import pytest

from ecsimg.domain import models as m
from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.regions import REGIONS
from ecsimg.domain.validation import check_description, check_family, check_image_name
from ecsimg.service.images.visibility import kind_of, state, used_image_ids
from ecsimg.store import tables
from ecsimg.store.demo import base
from ecsimg.store.demo.seed import build_demo, fill_demo, seed_catalogue, wipe
from ecsimg.store.memstore import MemoryRepository
from ecsimg.store.tinystore import TinyRepository

OPS, DEV, PARTNER = base.OPS, base.DEV, base.PARTNER
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
RESOURCE_ID = re.compile(r"^(m|s|i|d|t)-[a-z0-9]{20}$")
PUBLIC_ID = re.compile(r"^[a-z][a-z0-9]*(_[A-Za-z0-9-]+)*_(x64|arm64)(_[A-Za-z0-9-]+)*"
                       r"_\d+G_alibase_20\d{6}\.vhd$")


class Catalogue:
    """Every table of a seeded catalogue, read back from disk through a fresh repository."""

    def __init__(self, root: Path) -> None:
        self.root = root
        repo = TinyRepository(root)
        with repo.read() as view:
            self.images: list[m.Image] = view.all(tables.IMAGES)
            self.snapshots = {s.snapshot_id: s for s in view.all(tables.SNAPSHOTS)}
            self.disks = {d.disk_id: d for d in view.all(tables.DISKS)}
            self.instances: list[m.Instance] = view.all(tables.INSTANCES)
            self.accounts = {a.account_id: a for a in view.all(tables.ACCOUNTS)}
            self.profiles = {p.name: p for p in view.all(tables.PROFILES)}
            self.products = {p.product_code: p for p in view.all(tables.PRODUCTS)}
            self.purchases: list[m.Purchase] = view.all(tables.PURCHASES)
            self.tasks: list[m.Task] = view.all(tables.TASKS)
            self.events: list[m.Event] = view.all(tables.EVENTS)
            self.key_pairs: list[m.KeyPair] = view.all(tables.KEY_PAIRS)
            self.used = {r.region_id: used_image_ids(view, r.region_id) for r in REGIONS}
        repo.close()
        self.by_key = {i.key: i for i in self.images}

    def custom(self) -> list[m.Image]:
        return [i for i in self.images if i.owner_kind == "custom"]

    def named(self, name: str, owner: str = OPS, region: str = "cn-hangzhou") -> m.Image:
        found = [i for i in self.images if i.image_name == name and i.owner_id == owner
                 and i.region_id == region]
        assert len(found) == 1, (name, owner, region, len(found))
        return found[0]


def _seed(root: Path, images: int | None = None, random_seed: int = 0) -> Catalogue:
    seed_catalogue(TinyRepository(root), images=images, random_seed=random_seed, now=NOW)
    return Catalogue(root)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    return _seed(tmp_path_factory.mktemp("demo") / "catalogue")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    return _seed(tmp_path_factory.mktemp("big") / "catalogue", images=2000, random_seed=11)


CATALOGUES = ["demo", "big"]


@pytest.fixture(params=CATALOGUES)
def catalogue(request: pytest.FixtureRequest) -> Catalogue:
    found: Catalogue = request.getfixturevalue(request.param)
    return found


# -- invariants, on the demo and on a generated catalogue of 2000 images --------------------


def test_every_custom_image_has_its_snapshots(catalogue: Catalogue) -> None:
    for image in catalogue.custom():
        assert image.disk_mappings[0].disk_type == "system", image.key
        for mapping in image.disk_mappings:
            snap = catalogue.snapshots.get(mapping.snapshot_id)
            assert snap is not None, (image.key, mapping.snapshot_id)
            assert (snap.region_id, snap.owner_id) == (image.region_id, image.owner_id)
            assert snap.source_disk_type == mapping.disk_type
            assert snap.size <= mapping.size
            assert snap.encrypted == image.encrypted


def test_rule_047_no_image_is_shared_with_more_than_50_accounts(catalogue: Catalogue) -> None:
    widest = max(len(i.shares) for i in catalogue.images)
    assert 0 < widest <= 50


def test_rule_052_no_account_receives_more_than_100_shares(catalogue: Catalogue) -> None:
    received = Counter(s.account_id for i in catalogue.images for s in i.shares)
    assert received and max(received.values()) <= 100


def test_rule_049_every_share_target_is_a_known_account_other_than_the_owner(
    catalogue: Catalogue,
) -> None:
    for image in catalogue.images:
        targets = [s.account_id for s in image.shares]
        assert len(targets) == len(set(targets)), image.key
        assert image.owner_kind == "custom" or not targets
        for uid in targets:
            assert uid in catalogue.accounts and uid != image.owner_id, (image.key, uid)


def test_rule_026_custom_images_per_account_per_region_within_quota(
    catalogue: Catalogue,
) -> None:
    held = Counter((i.owner_id, i.region_id) for i in catalogue.custom())
    for (owner_id, region_id), count in held.items():
        quota = catalogue.accounts[owner_id].image_quota
        assert quota is not None and count <= quota, (owner_id, region_id, count)


def test_every_instance_has_its_image_and_disks(catalogue: Catalogue) -> None:
    for inst in catalogue.instances:
        assert f"{inst.region_id}/{inst.image_id}" in catalogue.by_key, inst.instance_name
        system = catalogue.disks[inst.system_disk_id]
        assert (system.instance_id, system.disk_type, system.device) == (
            inst.instance_id, "system", "/dev/xvda")
        assert system.size >= catalogue.by_key[f"{inst.region_id}/{inst.image_id}"].size
    instance_ids = {i.instance_id for i in catalogue.instances}
    for disk in catalogue.disks.values():
        assert disk.instance_id in instance_ids, disk.disk_id
    for purchase in catalogue.purchases:
        assert purchase.used_by_instance_id in instance_ids | {""}


def test_ids_match_their_formats(catalogue: Catalogue) -> None:
    for image in catalogue.images:
        pattern = PUBLIC_ID if image.owner_kind == "system" else RESOURCE_ID
        assert pattern.match(image.image_id), image.image_id
        assert image.image_id.startswith("m-") or image.owner_kind == "system"
    resource_ids = [*catalogue.snapshots, *catalogue.disks,
                    *(i.instance_id for i in catalogue.instances),
                    *(t.task_id for t in catalogue.tasks)]
    for resource_id in resource_ids:
        assert RESOURCE_ID.match(resource_id), resource_id
    assert all(s.startswith("s-") for s in catalogue.snapshots)
    assert all(d.startswith("d-") for d in catalogue.disks)
    assert all(i.instance_id.startswith("i-") for i in catalogue.instances)
    assert all(t.task_id.startswith("t-") for t in catalogue.tasks)


def test_rule_029_030_custom_image_names_are_valid_and_unique_per_account_and_region(
    catalogue: Catalogue,
) -> None:
    seen: set[tuple[str, str, str]] = set()
    for image in catalogue.custom():
        check_image_name(image.image_name)
        if image.description:
            check_description(image.description)
        key = (image.owner_id, image.region_id, image.image_name)
        assert key not in seen, key
        seen.add(key)


def test_rule_032_036_037_families_are_valid_and_within_limits(catalogue: Catalogue) -> None:
    families: Counter[tuple[str, str]] = Counter()
    for image in catalogue.custom():
        if image.image_family:
            check_family(image.image_family)
            families[(image.region_id, image.image_family)] += 1
    assert families and max(families.values()) <= 100
    per_region = Counter(region_id for region_id, _ in families)
    assert max(per_region.values()) <= 100


def test_rule_040_042_051_060_only_shareable_images_are_shared(catalogue: Catalogue) -> None:
    for image in catalogue.images:
        if not image.shares:
            continue
        assert image.status == m.AVAILABLE, image.key
        assert image.key_kind != "service", image.key
        assert not image.is_public, image.key


def test_rule_050_marketplace_derived_images_are_shared_within_their_site(
    catalogue: Catalogue,
) -> None:
    for image in catalogue.custom():
        owner_site = catalogue.accounts[image.owner_id].site
        if image.product_code:
            for share in image.shares:
                assert catalogue.accounts[share.account_id].site == owner_site


def test_the_spec_profiles_and_accounts_exist(catalogue: Catalogue) -> None:
    expected = {"default": (OPS, "ops-china", "china", "cn-hangzhou"),
                "dev": (DEV, "dev-team", "china", "cn-shanghai"),
                "partner": (PARTNER, "partner-intl", "international", "ap-southeast-1")}
    for profile_name, (uid, account_name, site, region_id) in expected.items():
        profile = catalogue.profiles[profile_name]
        assert (profile.account_id, profile.region_id, profile.read_only) == (
            uid, region_id, False)
        account = catalogue.accounts[uid]
        assert (account.name, account.site) == (account_name, site)
    assert catalogue.profiles["audit"].read_only
    directory = [str(6000000000000000 + n) for n in range(1, 101)]
    assert set(catalogue.accounts) == {OPS, DEV, PARTNER, *directory}


# -- the demo's content ----------------------------------------------------------------------


def test_public_images_in_every_region(demo: Catalogue) -> None:
    public = [i for i in demo.images if i.owner_kind == "system"]
    by_region = Counter(i.region_id for i in public)
    assert set(by_region) == {r.region_id for r in REGIONS}
    assert len(set(by_region.values())) == 1
    hangzhou = {i.image_id: i for i in public if i.region_id == "cn-hangzhou"}
    assert "aliyun_3_x64_20G_alibase_20250629.vhd" in hangzhou
    assert "ubuntu_22_04_arm64_20G_alibase_20250401.vhd" in hangzhou
    win = hangzhou["win2022_datacenter_x64_dtc_zh-CN_40G_alibase_20250415.vhd"]
    assert (win.os_type, win.license_os, win.size, win.platform) == (
        "windows", "windows", 40, "Windows Server 2022")
    assert "win2022_datacenter_x64_dtc_en-US_40G_alibase_20250415.vhd" in hangzhou
    platforms = {i.platform for i in hangzhou.values()}
    assert {"Aliyun", "Anolis", "CentOS", "Ubuntu", "Debian", "Rocky Linux", "AlmaLinux",
            "OpenSUSE", "SUSE", "RedHat", "FreeBSD", "CoreOS", "Windows Server 2019",
            "Windows Server 2016"} <= platforms
    assert {i.license_os for i in hangzhou.values() if i.platform == "RedHat"} == {"rhel"}
    assert {i.license_os for i in hangzhou.values() if i.platform == "SUSE"} == {"suse"}
    for image in hangzhou.values():
        assert image.owner_id == "" and image.image_family.startswith("acs:")
        assert image.disk_mappings == (m.DiskMapping("/dev/xvda", "system", image.size),)
        assert image.boot_mode == ("UEFI" if image.architecture == "arm64" else "BIOS")
        assert "位" in image.os_name and "bit" in image.os_name_en
    arm = {i.platform for i in hangzhou.values() if i.architecture == "arm64"}
    assert arm == {"Aliyun", "Anolis", "Ubuntu", "Debian", "Rocky Linux", "AlmaLinux",
                   "CentOS Stream"}
    assert sum(i.status == m.DEPRECATED for i in hangzhou.values()) == 2


def test_marketplace_products_and_images(demo: Catalogue) -> None:
    models = {p.pricing_model for p in demo.products.values()}
    assert models == {"free", "one_time", "subscription", "hourly"}
    assert sum(p.removed for p in demo.products.values()) == 1
    names = " ".join(p.product_name for p in demo.products.values())
    for wanted in ("宝塔Linux面板", "LNMP环境", "WordPress", "Docker CE", "GitLab CE"):
        assert wanted in names
    market = [i for i in demo.images if i.owner_kind == "marketplace"]
    for image in market:
        product = demo.products[image.product_code]
        assert image.region_id in product.regions
        assert image.supplier_name == product.supplier_name and image.owner_id == ""
        check_image_name(image.image_name)
    for product in demo.products.values():
        regions = {i.region_id for i in market if i.product_code == product.product_code}
        assert regions == set(product.regions)
        assert len(product.regions) < len(REGIONS)


def test_custom_images_in_every_state(demo: Catalogue) -> None:
    statuses = Counter(state(i, NOW)[0] for i in demo.custom())
    for status in (m.AVAILABLE, m.DEPRECATED, m.CREATING, m.WAITING, m.CREATE_FAILED,
                   m.UNAVAILABLE):
        assert statuses[status] >= 1, status
    creating = demo.named("生产环境-Web服务器-v4")
    assert state(creating, NOW)[0] == m.CREATING and creating.source_instance_id
    assert creating.pending_start < NOW < creating.pending_end
    waiting = [i for i in demo.custom() if state(i, NOW)[0] == m.WAITING]
    assert len(waiting) == 1 and waiting[0].is_copied
    # Later the waiting copy runs, then everything has settled.
    assert {state(i, NOW + 86_400)[0] for i in demo.custom()} <= {
        m.AVAILABLE, m.DEPRECATED, m.CREATE_FAILED, m.UNAVAILABLE}


def test_rule_069_one_copy_per_destination_region_runs_at_a_time(demo: Catalogue) -> None:
    copies = sorted((i for i in demo.custom() if i.is_copied and i.pending_end),
                    key=lambda i: i.pending_start)
    assert len(copies) == 2 and {i.region_id for i in copies} == {"cn-shanghai"}
    assert copies[0].pending_end <= copies[1].pending_start
    for copy in copies:
        task = next(t for t in demo.tasks if t.task_id == copy.task_id)
        assert (task.task_action, task.resource_id, task.status) == (
            "CopyImage", copy.image_id, "Processing")
        assert copy.copied_from in demo.by_key
        # Asked for together: the waiting copy's task and image were made when it queued,
        # as CopyImage makes them, not when it starts.
        assert task.creation_time == copy.creation_time


def test_custom_image_variety(demo: Catalogue) -> None:
    custom = demo.custom()
    assert {OPS, DEV, PARTNER} <= {i.owner_id for i in custom}
    assert len({(i.owner_id, i.region_id) for i in custom}) >= 7
    assert {"web-prod", "数据库"} <= {i.image_family for i in custom}
    assert any(m.Tag("env", "prod") in i.tags for i in custom)
    assert demo.named("生产环境-Web服务器-v3").disk_mappings[1].disk_type == "data"
    assert demo.named("win2019-ad-域控").license_os == "windows"
    assert demo.named("rhel9-sap-base").license_os == "rhel"
    derived = demo.named("宝塔面板-定制版-2025")
    assert derived.product_code in demo.products
    assert demo.named("MySQL8-主库-20250301").key_kind == "cmk"
    assert demo.named("Redis7-缓存-20250110").key_kind == "service"
    community = [i for i in custom if i.is_public]
    assert [(i.owner_id, i.region_id) for i in community] == [(DEV, "cn-hangzhou")]
    assert demo.accounts[DEV].community_terms_signed
    copy = demo.named("生产环境-Web服务器-v3", region="cn-shanghai")
    assert copy.is_copied and copy.copied_from == demo.named("生产环境-Web服务器-v3").key


def test_shares_between_the_profiles(demo: Catalogue) -> None:
    hangzhou = [i for i in demo.images if i.region_id == "cn-hangzhou"]
    assert any(kind_of(i, OPS) == "shared" and i.owner_id == DEV for i in hangzhou)
    assert any(kind_of(i, DEV) == "shared" and i.owner_id == OPS for i in hangzhou)
    assert any(kind_of(i, OPS) == "community" for i in hangzhou)
    singapore = [i for i in demo.images if i.region_id == "ap-southeast-1"]
    assert any(kind_of(i, OPS) == "shared" and i.owner_id == PARTNER for i in singapore)
    widest = max(demo.custom(), key=lambda i: len(i.shares))
    assert (widest.owner_id, widest.region_id, len(widest.shares)) == (OPS, "cn-hangzhou", 48)


def test_instances_disks_purchases_tasks_and_events(demo: Catalogue) -> None:
    statuses = Counter(i.status for i in demo.instances)
    assert statuses["Running"] >= 3 and statuses["Stopped"] >= 3
    assert sum(i.locked_for_security for i in demo.instances) == 1
    assert sum(i.unpaid_order for i in demo.instances) == 1
    kinds = {demo.by_key[f"{i.region_id}/{i.image_id}"].owner_kind for i in demo.instances}
    assert kinds == {"system", "marketplace", "custom"}
    used = demo.used["cn-hangzhou"]
    assert demo.named("生产环境-Web服务器-v3").image_id in used
    assert any(d.disk_type == "data" for d in demo.disks.values())
    assert {(k.owner_id, k.region_id) for k in demo.key_pairs} >= {(OPS, "cn-hangzhou")}
    assert any(p.used_by_instance_id for p in demo.purchases)
    assert any(not p.used_by_instance_id for p in demo.purchases)
    for purchase in demo.purchases:
        assert purchase.product_code in demo.products
        assert purchase.region_id in demo.products[purchase.product_code].regions
    assert {t.task_action for t in demo.tasks} >= {"CreateImage", "CopyImage", "ImportImage",
                                                  "ExportImage"}
    assert len(demo.events) >= 5 and {e.code for e in demo.events} >= {"Success",
                                                                       "ImageUseShared"}


def test_ops_quota_is_raised_to_hold_a_large_catalogue(big: Catalogue) -> None:
    assert len(big.images) == 2000
    held = Counter((i.owner_id, i.region_id) for i in big.custom())
    assert held[(OPS, "cn-hangzhou")] > 100
    assert (big.accounts[OPS].image_quota or 0) >= held[(OPS, "cn-hangzhou")] + 100
    assert len({i.owner_id for i in big.custom()}) > 10
    assert any(not i.image_name.isascii() for i in big.custom())


# -- determinism, sizes, refusal, wiping -----------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    """Every file's bytes; meta.json's catalogue id, random by design, and the stamps of the
    images shards the indexes and spans were derived from (inode and time) are left out."""
    found = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
             if p.is_file() and p.name != ".lock"}
    meta = orjson.loads(found["meta.json"])
    assert len(meta.pop("catalogue_id")) == 16
    assert sorted(meta.pop("indexed")) == sorted(p.stem for p in (root / "images").glob("*"))
    for name in [n for n in found if n.startswith("image_spans/")]:
        spans = orjson.loads(found[name])
        assert len(spans.pop("stamp")) == 3
        found[name] = orjson.dumps(spans)
    found["meta.json"] = orjson.dumps(meta)
    return found


def test_same_seed_gives_the_same_catalogue_byte_for_byte(tmp_path: Path) -> None:
    for name in ("a", "b"):
        seed_catalogue(TinyRepository(tmp_path / name), images=1100, random_seed=5, now=NOW)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first and first == second
    seed_catalogue(TinyRepository(tmp_path / "c"), images=1100, random_seed=6, now=NOW)
    assert _files(tmp_path / "c") != first


def test_with_a_zero_pace_every_task_is_done_and_the_clock_does_not_matter(
    tmp_path: Path,
) -> None:
    for name, now in (("a", NOW), ("b", NOW + 12_345.6)):
        seed_catalogue(TinyRepository(tmp_path / name), now=now, task_seconds_per_gib=0)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    settled = Catalogue(tmp_path / "a")
    assert {state(i, NOW)[0] for i in settled.custom()} <= {
        m.AVAILABLE, m.DEPRECATED, m.CREATE_FAILED, m.UNAVAILABLE}
    assert "Processing" not in {t.status for t in settled.tasks}


def test_the_demo_part_does_not_depend_on_the_image_count() -> None:
    small = build_demo(now=NOW).records[tables.IMAGES.name]
    large = build_demo(images=1500, now=NOW).records[tables.IMAGES.name]
    assert all(large[key] == image for key, image in small.items())


def test_images_below_the_demo_size_keeps_the_first_images(tmp_path: Path) -> None:
    small = _seed(tmp_path / "small", images=30)
    assert len(small.images) == 30
    assert all(i.owner_kind == "custom" for i in small.images)
    test_every_instance_has_its_image_and_disks(small)
    for task in small.tasks:
        assert f"{task.region_id}/{task.resource_id}" in small.by_key


def test_seeding_refuses_a_catalogue_that_is_not_empty(demo: Catalogue) -> None:
    root = demo.root
    before = _files(root)
    with pytest.raises(CatalogueError, match="already holds a catalogue"):
        seed_catalogue(TinyRepository(root))
    assert _files(root) == before


def test_the_demo_fills_a_memory_repository_with_the_same_records(
    demo: Catalogue, tmp_path: Path,
) -> None:
    memory = MemoryRepository(tmp_path / "catalogue")
    fill_demo(memory, now=NOW)
    on_disk = TinyRepository(demo.root)
    for table in tables.ALL_TABLES:
        with on_disk.read() as disk_view, memory.read() as memory_view:
            written = sorted(disk_view.all(table), key=table.key)
            held = sorted(memory_view.all(table), key=table.key)
        assert held == written, table.name
    with memory.read() as view:
        assert len(view.all(tables.IMAGES)) == len(demo.images) > 0
    with pytest.raises(CatalogueError, match="already holds a catalogue"):
        fill_demo(memory, now=NOW)


def test_wipe_removes_a_catalogue_and_a_new_seed_can_follow(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    _seed(root)
    wipe(root)
    assert not root.exists()
    wipe(root)  # nothing there: nothing to do
    reseeded = _seed(root, images=1030)
    assert len(reseeded.images) == 1030


def test_wipe_refuses_folders_that_are_not_catalogues(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("keep me")
    with pytest.raises(CatalogueError, match="not an ecsimg catalogue"):
        wipe(home)
    (home / "meta.json").write_text('{"format": "something-else"}')
    with pytest.raises(CatalogueError, match="not an ecsimg catalogue"):
        wipe(home)
    assert (home / "notes.txt").read_text() == "keep me"
    (home / "meta.json").write_text("{not json")
    with pytest.raises(CatalogueError):
        wipe(home)
    assert sorted(p.name for p in home.iterdir()) == ["meta.json", "notes.txt"]


def test_wipe_leaves_foreign_files_inside_a_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    _seed(root, images=0)
    (root / "README.txt").write_text("mine")
    wipe(root)
    assert sorted(p.name for p in root.iterdir() if p.name != ".lock") == ["README.txt"]
    with pytest.raises(CatalogueError, match=r"no meta\.json"):
        wipe(root)
    assert (root / "README.txt").read_text() == "mine"


def test_demo_events_happen_when_their_records_say() -> None:
    """A share event at the share's time, a copy event at the copy's creation."""
    built = build_demo(now=NOW)
    images = list(built.records[tables.IMAGES.name].values())
    by_id = {i.image_id: i for i in images}
    events = list(built.records[tables.EVENTS.name].values())
    checked = 0
    for event in events:
        if event.code != "Success":
            continue
        if event.action == "ModifyImageSharePermission":
            image = by_id[event.params["ImageId"]]
            share = next(s for s in image.shares if s.account_id == event.params["AddAccount.1"])
            assert share.shared_time == event.time, image.image_name
            checked += 1
        elif event.action == "CopyImage":
            copy = by_id[event.resource_ids[0]]
            assert copy.creation_time == event.time and copy.copied_from.endswith(
                event.params["ImageId"])
            checked += 1
    assert checked >= 4
