"""Marketplace products with their pricing models, and their images in the published regions."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ecsimg.domain import models as m
from ecsimg.store import tables
from ecsimg.store.demo.builder import DemoBuilder
from ecsimg.store.demo.public import template

_MAINLAND = ("cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao",
             "cn-zhangjiakou", "cn-chengdu")
_WIDE = (*_MAINLAND, "cn-hongkong", "ap-southeast-1", "ap-northeast-1", "us-west-1",
         "eu-central-1")


@dataclass(frozen=True, slots=True)
class Listing:
    """A product and how its image is named and built."""

    product: m.MarketplaceProduct
    image_name: str
    description: str
    os_key: str
    size: int = 40


LISTINGS: tuple[Listing, ...] = (
    Listing(m.MarketplaceProduct("cmjj028279", "宝塔Linux面板（BT-Panel）9.0 正式版",
                                 "广东堡塔安全技术有限公司", "free", 0.0, _WIDE),
            "宝塔Linux面板-9.0-AlibabaCloudLinux3",
            "宝塔Linux面板，一键部署LNMP/LAMP，可视化管理网站、数据库、FTP", "aliyun3"),
    Listing(m.MarketplaceProduct("cmjj000132", "LNMP环境（CentOS7.9 Nginx PHP8 MySQL8）",
                                 "杭州云栖科技有限公司", "one_time", 29.0, _MAINLAND),
            "LNMP-CentOS7.9-Nginx1.24-PHP8.2-MySQL8",
            "LNMP环境：Nginx 1.24、PHP 8.2、MySQL 8.0，预装常用扩展", "centos7"),
    Listing(m.MarketplaceProduct("cmjj000541", "WordPress博客建站（LAMP）",
                                 "Bitnami by VMware", "subscription", 39.0,
                                 ("cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1",
                                  "us-west-1")),
            "WordPress-6.5-LAMP-Ubuntu22.04", "WordPress 6.5 with Apache, MySQL and PHP",
            "ubuntu2204"),
    Listing(m.MarketplaceProduct("cmjj010243", "Docker CE 社区版运行环境",
                                 "阿里云计算有限公司", "free", 0.0, _WIDE),
            "Docker-CE-26-AlibabaCloudLinux3", "Docker CE 26 and Docker Compose v2, ready to run",
            "aliyun3"),
    Listing(m.MarketplaceProduct("cmjj031577", "GitLab CE 代码托管平台",
                                 "GitLab Inc.", "hourly", 0.35,
                                 ("cn-hangzhou", "cn-shanghai", "ap-southeast-1",
                                  "eu-central-1")),
            "GitLab-CE-17-Ubuntu22.04", "GitLab Community Edition 17 with HTTPS preconfigured",
            "ubuntu2204", size=60),
    Listing(m.MarketplaceProduct("cmjj045810", "Windows Server 2022 IIS ASP.NET 环境",
                                 "上海微创软件股份有限公司", "hourly", 0.5,
                                 ("cn-hangzhou", "cn-shanghai", "cn-hongkong")),
            "IIS10-ASP.NET-Win2022", "IIS 10 with ASP.NET 4.8 and .NET 8 on Windows Server 2022",
            "win2022_zh-CN"),
    Listing(m.MarketplaceProduct("cmjj052266", "Java运行环境（JDK17 Tomcat10）",
                                 "杭州云栖科技有限公司", "one_time", 9.9, _MAINLAND),
            "Java17-Tomcat10-Rocky9", "JDK 17 与 Tomcat 10 运行环境", "rocky9"),
    Listing(m.MarketplaceProduct("cmjj007788", "Discuz! X3.4 论坛建站",
                                 "北京康盛新创科技有限责任公司", "one_time", 19.0,
                                 ("cn-hangzhou",), removed=True),
            "Discuz-X3.4-LAMP-CentOS7", "Discuz! X3.4 社区论坛（已下架）", "centos7"),
)
"""The last product is removed from the marketplace; its image lingers in one region."""


def product(code: str) -> m.MarketplaceProduct:
    for listing in LISTINGS:
        if listing.product.product_code == code:
            return listing.product
    raise KeyError(code)


def add_marketplace(builder: DemoBuilder) -> dict[tuple[str, str], m.Image]:
    """Products and one image per product per published region; returns images by
    (product code, region)."""
    images: dict[tuple[str, str], m.Image] = {}
    for n, listing in enumerate(LISTINGS):
        builder.put(tables.PRODUCTS, listing.product)
        base = template(listing.os_key)
        for region_id in listing.product.regions:
            image = replace(
                base,
                region_id=region_id,
                image_id=builder.ids.image(),
                image_name=listing.image_name,
                owner_kind="marketplace",
                description=listing.description,
                image_family="",
                image_version=f"V{9 - n % 3}.{n}",
                size=listing.size,
                creation_time=builder.days_ago(200 - n * 17),
                disk_mappings=(m.DiskMapping("/dev/xvda", "system", listing.size),),
                product_code=listing.product.product_code,
                supplier_name=listing.product.supplier_name,
                is_support_cloudinit=base.os_type != "windows",
            )
            images[(listing.product.product_code, region_id)] = builder.put(tables.IMAGES, image)
    return images
