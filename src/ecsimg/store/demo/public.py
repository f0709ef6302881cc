"""Alibaba Cloud's public images as they are today, in every region."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ecsimg.domain import models as m
from ecsimg.domain.ids import public_image_id
from ecsimg.domain.regions import REGIONS
from ecsimg.store import tables
from ecsimg.store.demo.builder import DemoBuilder


@dataclass(frozen=True, slots=True)
class PublicOs:
    """One public OS release: how its ID, names and family are spelled."""

    key: str
    """Short handle the demo uses to build custom images on this OS."""
    slug: str
    version: str
    platform: str
    os_name: str
    """Chinese OSName without the architecture suffix."""
    os_name_en: str
    family: str
    """ImageFamily without the ``_x64`` / ``_arm64`` suffix."""
    date: str
    size: int = 20
    arm: bool = False
    license_os: str = ""
    os_type: str = "linux"
    status: str = m.AVAILABLE
    login_as_non_root: bool = False
    online_upgrade: bool = False
    """vCPUs and memory can be added while running (Features.Cpu/MemoryOnlineUpgrade)."""


_LINUX = (
    PublicOs("aliyun3", "aliyun", "3", "Aliyun", "Alibaba Cloud Linux 3.2104 LTS 64位",
             "Alibaba Cloud Linux 3.2104 LTS 64 bit", "acs:alibaba_cloud_linux_3_2104_lts",
             "20250629", arm=True, login_as_non_root=True, online_upgrade=True),
    PublicOs("aliyun2", "aliyun", "2_1903", "Aliyun", "Alibaba Cloud Linux 2.1903 LTS 64位",
             "Alibaba Cloud Linux 2.1903 LTS 64 bit", "acs:alibaba_cloud_linux_2_1903_lts",
             "20240628"),
    PublicOs("anolis8", "anolisos", "8_10", "Anolis", "Anolis OS 8.10 RHCK 64位",
             "Anolis OS 8.10 RHCK 64 bit", "acs:anolis_8_10", "20250415", arm=True),
    PublicOs("centos7", "centos", "7_9", "CentOS", "CentOS 7.9 64位", "CentOS 7.9 64 bit",
             "acs:centos_7_9", "20240628"),
    PublicOs("centos_stream9", "centos_stream", "9", "CentOS Stream", "CentOS Stream 9 64位",
             "CentOS Stream 9 64 bit", "acs:centos_stream_9", "20250408", arm=True),
    PublicOs("ubuntu2404", "ubuntu", "24_04", "Ubuntu", "Ubuntu 24.04 64位",
             "Ubuntu 24.04 64 bit", "acs:ubuntu_24_04", "20250415", arm=True),
    PublicOs("ubuntu2204", "ubuntu", "22_04", "Ubuntu", "Ubuntu 22.04 64位",
             "Ubuntu 22.04 64 bit", "acs:ubuntu_22_04", "20250401", arm=True),
    PublicOs("ubuntu2004", "ubuntu", "20_04", "Ubuntu", "Ubuntu 20.04 64位",
             "Ubuntu 20.04 64 bit", "acs:ubuntu_20_04", "20250320", arm=True),
    PublicOs("debian12", "debian", "12_10", "Debian", "Debian 12.10 64位",
             "Debian 12.10 64 bit", "acs:debian_12_10", "20250410", arm=True),
    PublicOs("debian11", "debian", "11_11", "Debian", "Debian 11.11 64位",
             "Debian 11.11 64 bit", "acs:debian_11_11", "20250214", arm=True),
    PublicOs("rocky9", "rockylinux", "9_5", "Rocky Linux", "Rocky Linux 9.5 64位",
             "Rocky Linux 9.5 64 bit", "acs:rocky_linux_9_5", "20250327", arm=True),
    PublicOs("alma9", "almalinux", "9_5", "AlmaLinux", "AlmaLinux 9.5 64位",
             "AlmaLinux 9.5 64 bit", "acs:almalinux_9_5", "20250327", arm=True),
    PublicOs("opensuse15", "opensuse", "15_6", "OpenSUSE", "openSUSE 15.6 64位",
             "openSUSE 15.6 64 bit", "acs:opensuse_15_6", "20250108"),
    PublicOs("sles15", "sles", "15_sp6", "SUSE", "SUSE Linux Enterprise Server 15 SP6 64位",
             "SUSE Linux Enterprise Server 15 SP6 64 bit", "acs:sles_15_sp6", "20250110",
             license_os="suse"),
    PublicOs("rhel9", "rhel", "9_5", "RedHat", "Red Hat Enterprise Linux 9.5 64位",
             "Red Hat Enterprise Linux 9.5 64 bit", "acs:rhel_9_5", "20250305", size=40,
             license_os="rhel"),
    PublicOs("rhel8", "rhel", "8_10", "RedHat", "Red Hat Enterprise Linux 8.10 64位",
             "Red Hat Enterprise Linux 8.10 64 bit", "acs:rhel_8_10", "20250305", size=40,
             license_os="rhel"),
    PublicOs("freebsd14", "freebsd", "14_2", "FreeBSD", "FreeBSD 14.2 64位",
             "FreeBSD 14.2 64 bit", "acs:freebsd_14_2", "20250117", size=30),
    PublicOs("coreos", "fedora_coreos", "41", "CoreOS", "Fedora CoreOS 41 64位",
             "Fedora CoreOS 41 64 bit", "acs:fedora_coreos_41", "20250212", size=30),
)

_WINDOWS = tuple(
    PublicOs(f"win{year}_{lang}", f"win{year}", "datacenter", f"Windows Server {year}",
             f"Windows Server {year} 数据中心版 64位{'中文版' if lang == 'zh-CN' else '英文版'}",
             f"Windows Server {year} Datacenter 64-bit "
             f"({'Chinese' if lang == 'zh-CN' else 'English'})",
             f"acs:windows_server_{year}_datacenter_{lang.lower()}", date, size=40,
             license_os="windows", os_type="windows")
    for year, date in (("2022", "20250415"), ("2019", "20250415"), ("2016", "20250320"))
    for lang in ("zh-CN", "en-US")
)

_DEPRECATED = (
    PublicOs("centos8", "centos", "8_5", "CentOS", "CentOS 8.5 64位", "CentOS 8.5 64 bit",
             "acs:centos_8_5", "20220428", status=m.DEPRECATED),
    PublicOs("ubuntu1804", "ubuntu", "18_04", "Ubuntu", "Ubuntu 18.04 64位",
             "Ubuntu 18.04 64 bit", "acs:ubuntu_18_04", "20230517", status=m.DEPRECATED),
)

PUBLIC_OS: tuple[PublicOs, ...] = (*_LINUX, *_WINDOWS, *_DEPRECATED)


def _image(spec: PublicOs, arch: str) -> m.Image:
    """The public image of ``spec`` on ``arch`` (x86_64 or arm64), region left blank."""
    arm = arch == "arm64"
    if spec.os_type == "windows":
        lang = spec.key.rsplit("_", 1)[1]
        short_arch = f"x64_dtc_{lang}"
    else:
        short_arch = "arm64" if arm else "x64"
    image_id = public_image_id(spec.slug, spec.version, short_arch, spec.size, spec.date)
    date = spec.date
    return m.Image(
        region_id="",
        image_id=image_id,
        image_name=image_id,
        owner_kind="system",
        owner_id="",
        os_type="windows" if spec.os_type == "windows" else "linux",
        platform=spec.platform,
        os_name=spec.os_name + (" ARM版" if arm else ""),
        os_name_en=spec.os_name_en + (" ARM Edition" if arm else ""),
        architecture="arm64" if arm else "x86_64",
        size=spec.size,
        creation_time=f"{date[:4]}-{date[4:6]}-{date[6:]}T08:00:00Z",
        status=spec.status,
        image_family=spec.family if spec.os_type == "windows"
        else f"{spec.family}_{'arm64' if arm else 'x64'}",
        disk_mappings=(m.DiskMapping("/dev/xvda", "system", spec.size),),
        license_os=spec.license_os,
        boot_mode="UEFI" if arm else "BIOS",
        is_support_cloudinit=spec.os_type != "windows",
        login_as_non_root=spec.login_as_non_root,
        cpu_online_upgrade="supported" if spec.online_upgrade else "unsupported",
        memory_online_upgrade="supported" if spec.online_upgrade else "unsupported",
        # Current Linux images allow the hardened (v2) metadata mode; Windows and retired do not.
        imds_support="v2" if spec.os_type == "linux" and spec.status == m.AVAILABLE else "v1",
        secure_boot_support="true" if arm else "false",
    )


TEMPLATES: dict[tuple[str, str], m.Image] = {
    (spec.key, arch): _image(spec, arch)
    for spec in PUBLIC_OS
    for arch in (("x86_64", "arm64") if spec.arm else ("x86_64",))
}
"""Every public image by (OS key, architecture), with no region: what custom images build on."""


def template(key: str, arch: str = "x86_64") -> m.Image:
    return TEMPLATES[(key, arch)]


def public_id(key: str, arch: str = "x86_64") -> str:
    return TEMPLATES[(key, arch)].image_id


def add_public_images(builder: DemoBuilder) -> None:
    """Every public image in every region (public IDs repeat across regions)."""
    for region in REGIONS:
        for image in TEMPLATES.values():
            builder.put(tables.IMAGES, replace(image, region_id=region.region_id))
