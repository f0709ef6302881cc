"""Short display names of public images, as the console shows them instead of their long IDs."""

from __future__ import annotations

import functools
import re

_BUILD_SUFFIX = re.compile(r"_\d+G_alibase_\d{8}\.vhd$", re.IGNORECASE)
_DROPPED_PARTS = frozenset({"datacenter", "x64"})
"""Parts every build shares (the Datacenter edition, the default architecture)."""


@functools.lru_cache(maxsize=4096)
def public_display_name(image_id: str) -> str:
    """``win2022_datacenter_x64_dtc_zh-CN_40G_alibase_20250415.vhd`` as ``win2022 dtc zh-CN``.

    The OS, its version (``ubuntu_24_04`` as ``ubuntu 24.04``), the edition, the language and a
    non-default architecture stay: what tells one public image from the next at 80 columns.
    An ID of another shape is returned as it is.
    """
    stem = _BUILD_SUFFIX.sub("", image_id)
    if stem == image_id:
        return image_id
    words: list[str] = []
    for part in stem.split("_"):
        if part.lower() in _DROPPED_PARTS:
            continue
        if part.isdigit() and words and words[-1][-1:].isdigit():
            words[-1] += f".{part}"  # version numbers: 24_04 is 24.04
        else:
            words.append(part)
    build = image_id.rsplit("_", 1)[-1].removesuffix(".vhd")
    return f"{' '.join(words)} {build}"
