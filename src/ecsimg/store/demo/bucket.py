"""The demo's OSS bucket: small sample disk files with real headers, ready for ImportImage."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ecsimg.domain.disk_images import GIB, sample_disk_header

BUCKET_REGION = "cn-hangzhou"
BUCKET = "ops-images-hz"
"""The bucket the demo's imported image and finished export name."""
SAMPLES = (
    ("samples/centos7-web-20g.qcow2", "QCOW2", 20),
    ("samples/ubuntu22-api-40g.vhd", "VHD", 40),
    ("samples/debian12-min-5g.raw", "RAW", 5),
    ("legacy/ubuntu20.vhd", "VHD", 40),
)
"""(object, format, virtual size in GiB): QCOW2 and VHD header-only, RAW sparse."""


def write_demo_bucket(oss_root: Path) -> Path:
    """Create the demo bucket beside the catalogue; existing files are left as they are."""
    bucket = oss_root / BUCKET_REGION / BUCKET
    for name, image_format, gib in SAMPLES:
        path = bucket / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            continue
        _write_sample(path, image_format, gib)
    (bucket / "exports").mkdir(exist_ok=True)
    return bucket


def _write_sample(path: Path, image_format: str, gib: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, sample_disk_header(image_format, gib))
        if image_format == "RAW":
            os.ftruncate(fd, gib * GIB)  # sparse: the size is declared, no blocks are used
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    os.close(fd)
