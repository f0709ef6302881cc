"""The demo's custom images: each profile's account, several regions, states and families."""

from __future__ import annotations

from dataclasses import replace

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.store import tables
from ecsimg.store.demo.base import DEV, DIRECTORY_ACCOUNT_IDS, OPS, PARTNER
from ecsimg.store.demo.builder import DemoBuilder, DiskSpec
from ecsimg.store.demo.market import product
from ecsimg.store.demo.public import template

HZ, SH, BJ, SG = "cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"

Handles = dict[str, m.Image]
"""Demo images by a short handle, so instances, tasks and events can point at them."""


def _tags(*pairs: str) -> tuple[m.Tag, ...]:
    return tuple(m.Tag(*pair.split("=", 1)) for pair in pairs)


def add_ops_images(b: DemoBuilder, h: Handles) -> None:
    """OPS (profile default): most of the demo's variety sits in its default region."""
    aliyun = template("aliyun3")
    h["web_v3"] = b.custom_image(
        OPS, HZ, "生产环境-Web服务器-v3", aliyun, age_days=40,
        disks=(DiskSpec(40, 28), DiskSpec(100, 64)), image_family="web-prod",
        image_version="3.0.2", description="生产环境Web服务器：Nginx 1.26 + Node.js 20",
        tags=_tags("env=prod", "team=web", "cost-center=CC-1024"))
    h["web_v2"] = b.custom_image(
        OPS, HZ, "生产环境-Web服务器-v2", aliyun, age_days=120,
        disks=(DiskSpec(40, 26),), image_family="web-prod", image_version="2.4.0",
        tags=_tags("env=prod", "team=web"))
    h["web_v1"] = b.custom_image(
        OPS, HZ, "web-prod-v1", template("centos7"), age_days=400, image_family="web-prod",
        status=m.DEPRECATED, description="Superseded by v2; kept for rollback",
        tags=_tags("env=prod", "team=web"))
    h["hardened"] = b.custom_image(
        OPS, HZ, "base-centos7-hardened", template("centos7"), age_days=300,
        image_family="base-os", description="CIS level 1 hardened CentOS 7.9 base",
        tags=_tags("env=prod", "team=security", "compliance=等保三级"))
    h["mysql"] = b.custom_image(
        OPS, HZ, "MySQL8-主库-20250301", template("anolis8"), age_days=122,
        disks=(DiskSpec(60, 35), DiskSpec(500, 210)), image_family="数据库",
        tags=_tags("env=prod", "team=dba"), encrypted=True, key_kind="cmk",
        description="MySQL 8.0 主库，数据盘使用KMS自定义密钥加密")
    h["redis"] = b.custom_image(
        OPS, HZ, "Redis7-缓存-20250110", template("anolis8"), age_days=172,
        disks=(DiskSpec(40, 22),), image_family="数据库", encrypted=True, key_kind="service",
        tags=_tags("env=prod", "team=dba"))
    h["windows"] = b.custom_image(
        OPS, HZ, "win2019-ad-域控", template("win2019_zh-CN"), age_days=210,
        disks=(DiskSpec(60, 40),), image_family="windows-base",
        tags=_tags("env=prod", "team=infra"), description="Active Directory 域控制器")
    h["rhel"] = b.custom_image(
        OPS, HZ, "rhel9-sap-base", template("rhel9"), age_days=90, disks=(DiskSpec(80, 41),),
        tags=_tags("env=prod", "team=sap"), description="RHEL 9.5 for SAP, tuned-profile sap")
    bt_panel = product("cmjj028279")
    h["bt_derived"] = b.custom_image(
        OPS, HZ, "宝塔面板-定制版-2025", template("aliyun3"), age_days=60,
        product_code=bt_panel.product_code, supplier_name=bt_panel.supplier_name,
        tags=_tags("env=staging", "team=web"), description="基于云市场宝塔面板镜像定制")
    h["k8s_arm"] = b.custom_image(
        OPS, HZ, "k8s-node-arm64-v1.30", template("aliyun3", "arm64"), age_days=30,
        image_family="k8s-node", tags=_tags("env=prod", "team=platform", "arch=arm64"))
    h["nginx_test"] = b.custom_image(
        OPS, HZ, "test-nginx-1.26", aliyun, age_days=15, tags=_tags("env=test", "team=web"))
    h["jenkins"] = b.custom_image(
        OPS, HZ, "jenkins-ci-agent", template("ubuntu2204"), age_days=75,
        status=m.UNAVAILABLE, tags=_tags("env=test", "team=devops"),
        description="Snapshot source lost; image unavailable")
    h["imported"] = b.custom_image(
        OPS, HZ, "import-ubuntu-legacy", template("ubuntu2004"), age_days=5,
        status=m.CREATE_FAILED, description="Imported from OSS; the VHD footer was corrupt",
        tags=_tags("env=test", "team=infra"))
    h["imported"] = _with_import(b, h["imported"])
    h["bj_log"] = b.custom_image(
        OPS, BJ, "备份-日志服务器", template("debian12"), age_days=55,
        disks=(DiskSpec(40, 18), DiskSpec(200, 120)), tags=_tags("env=prod", "team=sre"))
    h["sg_web"] = b.custom_image(
        OPS, SG, "global-web-v3", aliyun, age_days=35, image_family="web-prod",
        tags=_tags("env=prod", "team=web", "region=overseas"))


def _with_import(b: DemoBuilder, image: m.Image) -> m.Image:
    """Mark the system disk as imported from an OSS object."""
    system = image.disk_mappings[0]
    imported = m.DiskMapping(system.device, system.disk_type, system.size, system.snapshot_id,
                             format="VHD", import_oss_bucket="ops-images-hz",
                             import_oss_object="legacy/ubuntu20.vhd")
    return b.put(tables.IMAGES, replace(image, disk_mappings=(imported,)))


def add_ops_copies(b: DemoBuilder, h: Handles) -> None:
    """A finished copy, a running copy and a copy waiting behind it (Rule 69), in cn-shanghai."""
    source = h["web_v3"]
    h["web_v3_copy"] = b.custom_image(
        OPS, SH, "生产环境-Web服务器-v3", template("aliyun3"), age_days=39,
        disks=(DiskSpec(40, 28), DiskSpec(100, 64)), image_family="web-prod",
        image_version=source.image_version, tags=source.tags, is_copied=True,
        copied_from=source.key, description=source.description)
    running_source = h["nginx_test"]
    running = b.pending_window(running_source.size, started_ago=running_source.size * b.pace / 3)
    h["copy_running"] = b.custom_image(
        OPS, SH, "test-nginx-1.26", template("aliyun3"), age_days=0, is_copied=True,
        copied_from=running_source.key, tags=running_source.tags,
        pending_start=running[0], pending_end=running[1], snapshot_window=running,
        creation_time=iso(running[0]))
    waiting_source = h["web_v2"]
    waiting = b.pending_window(waiting_source.size, start_at=running[1])
    h["copy_waiting"] = b.custom_image(
        OPS, SH, "生产环境-Web服务器-v2", template("aliyun3"), age_days=0, is_copied=True,
        copied_from=waiting_source.key, image_family="web-prod", tags=waiting_source.tags,
        pending_start=waiting[0], pending_end=waiting[1], snapshot_window=waiting,
        creation_time=iso(running[0]))


def add_dev_images(b: DemoBuilder, h: Handles) -> None:
    """DEV (profile dev): its default region, plus what it shares into cn-hangzhou."""
    h["dev_api"] = b.custom_image(
        DEV, SH, "dev-api-server-v12", template("ubuntu2204"), age_days=12,
        image_family="api-dev", tags=_tags("env=dev", "team=api"))
    h["dev_java"] = b.custom_image(
        DEV, SH, "测试环境-Java17-基础镜像", template("rocky9"), age_days=48,
        image_family="java-base", tags=_tags("env=test", "team=api", "负责人=王磊"))
    h["dev_gpu"] = b.custom_image(
        DEV, SH, "dev-gpu-pytorch", template("ubuntu2204"), age_days=20,
        disks=(DiskSpec(100, 72), DiskSpec(500, 330)), tags=_tags("env=dev", "team=ai"))
    h["dev_old"] = b.custom_image(
        DEV, SH, "dev-old-ubuntu20", template("ubuntu2004"), age_days=500,
        status=m.DEPRECATED, tags=_tags("env=dev",))
    h["dev_toolbox"] = b.custom_image(
        DEV, HZ, "dev-shared-toolbox", template("debian12"), age_days=25,
        tags=_tags("env=dev", "team=tools"), description="kubectl, helm, terraform, aliyun CLI")
    h["community"] = b.custom_image(
        DEV, HZ, "社区版-Nginx-高性能优化", template("aliyun3"), age_days=66, is_public=True,
        description="社区镜像：内核参数与Nginx已调优，适合高并发静态站点",
        tags=_tags("community=true",))
    h["dev_hz_cache"] = b.custom_image(
        DEV, HZ, "dev-hz-cache", template("alma9"), age_days=8, tags=_tags("env=dev",))


def add_partner_images(b: DemoBuilder, h: Handles) -> None:
    """PARTNER (profile partner), an international-site account, outside mainland China."""
    h["partner_gw"] = b.custom_image(
        PARTNER, SG, "partner-saas-gateway-v2", template("ubuntu2404"), age_days=18,
        image_family="saas-gateway", tags=_tags("env=prod", "team=partner"))
    h["partner_win"] = b.custom_image(
        PARTNER, SG, "partner-erp-windows-2022", template("win2022_en-US"), age_days=70,
        disks=(DiskSpec(80, 52), DiskSpec(200, 90)), tags=_tags("env=prod", "team=erp"))
    h["partner_arm"] = b.custom_image(
        PARTNER, SG, "partner-analytics-arm", template("debian12", "arm64"), age_days=33,
        tags=_tags("env=staging", "team=data"))
    h["partner_eu"] = b.custom_image(
        PARTNER, "eu-central-1", "partner-eu-gateway", template("ubuntu2404"), age_days=16,
        image_family="saas-gateway", tags=_tags("env=prod", "team=partner", "gdpr=yes"))
    h["partner_us"] = b.custom_image(
        PARTNER, "us-west-1", "partner-us-edge", template("rocky9"), age_days=44,
        tags=_tags("env=prod",))


def add_directory_images(b: DemoBuilder, h: Handles) -> None:
    """Two directory accounts that share vendor images with OPS in cn-hangzhou."""
    h["vendor_agent"] = b.custom_image(
        DIRECTORY_ACCOUNT_IDS[6], HZ, "vendor-monitoring-agent", template("aliyun3"),
        age_days=95, tags=_tags("vendor=acme-monitor",))
    h["vendor_waf"] = b.custom_image(
        DIRECTORY_ACCOUNT_IDS[11], HZ, "安全厂商-WAF-网关", template("centos_stream9"),
        age_days=140, tags=_tags("vendor=云盾伙伴",))


def add_shares(b: DemoBuilder, h: Handles) -> None:
    """Shares in the image's own region, one image close to the 50-account limit."""
    directory = DIRECTORY_ACCOUNT_IDS
    h["web_v3"] = b.share(h["web_v3"], [DEV, directory[0], directory[1]], 38)
    h["hardened"] = b.share(h["hardened"], list(directory[2:50]), 280)
    h["mysql"] = b.share(h["mysql"], [DEV], 100)
    h["bt_derived"] = b.share(h["bt_derived"], [DEV], 58)
    h["k8s_arm"] = b.share(h["k8s_arm"], [directory[0], directory[4]], 28)
    h["dev_toolbox"] = b.share(h["dev_toolbox"], [OPS], 24)
    h["partner_gw"] = b.share(h["partner_gw"], [OPS], 17)
    h["vendor_agent"] = b.share(h["vendor_agent"], [OPS, DEV], 90)
    h["vendor_waf"] = b.share(h["vendor_waf"], [OPS], 130)


def add_custom_images(b: DemoBuilder) -> Handles:
    handles: Handles = {}
    add_ops_images(b, handles)
    add_ops_copies(b, handles)
    add_dev_images(b, handles)
    add_partner_images(b, handles)
    add_directory_images(b, handles)
    add_shares(b, handles)
    return handles
