"""Disk image headers: the few bytes that say a file is QCOW2, VHD or RAW, and its size."""

from __future__ import annotations

GIB = 1 << 30
SECTOR = 512
QCOW2_MAGIC = b"QFI\xfb"
VHD_COOKIE = b"conectix"
VHD_FOOTER = 512
MBR_SIGNATURE = (510, b"\x55\xaa")


def sample_disk_header(image_format: str, size_gib: int) -> bytes:
    """The smallest valid file of ``image_format`` declaring ``size_gib``: a QCOW2 v3 header,
    a fixed VHD's footer, or a RAW disk's first sector with an MBR signature (the demo's
    sample files; RAW is extended to its size as a sparse file)."""
    size = size_gib * GIB
    if image_format == "QCOW2":
        header = bytearray(512)
        header[0:4] = QCOW2_MAGIC
        header[4:8] = (3).to_bytes(4, "big")
        header[20:24] = (16).to_bytes(4, "big")  # cluster bits: 64 KiB clusters
        header[24:32] = size.to_bytes(8, "big")
        header[100:104] = (104).to_bytes(4, "big")  # header length (v3)
        return bytes(header)
    if image_format == "VHD":
        footer = bytearray(VHD_FOOTER)
        footer[0:8] = VHD_COOKIE
        footer[8:12] = (2).to_bytes(4, "big")  # features: reserved bit set
        footer[12:16] = (0x00010000).to_bytes(4, "big")  # version 1.0
        footer[16:24] = (0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")  # fixed disk: no data offset
        footer[40:48] = size.to_bytes(8, "big")
        footer[48:56] = size.to_bytes(8, "big")
        footer[60:64] = (2).to_bytes(4, "big")  # disk type: fixed
        checksum = ~sum(footer) & 0xFFFFFFFF
        footer[64:68] = checksum.to_bytes(4, "big")
        return bytes(footer)
    sector = bytearray(SECTOR)
    sector[510:512] = MBR_SIGNATURE[1]
    return bytes(sector)
