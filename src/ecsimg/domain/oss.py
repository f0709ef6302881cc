"""OSS naming rules for buckets and objects, checked before a name is sent to the API."""

from __future__ import annotations

import re
import unicodedata

BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
"""3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."""
OBJECT_MAX_BYTES = 1023


def bucket_problem(name: str) -> str:
    """What is wrong with ``name`` as an OSS bucket name; empty when it is a valid one."""
    if not name:
        return "type the bucket's name"
    if not 3 <= len(name) <= 63:
        return f"a bucket name is 3 to 63 characters, not {len(name)}"
    if not BUCKET_NAME.match(name):
        return ("a bucket name has only lowercase letters, digits and hyphens, and starts and "
                "ends with a letter or digit")
    return ""


def object_problem(name: str) -> str:
    """What is wrong with ``name`` as an OSS object name; empty when it is a valid one."""
    if not name:
        return "type the object's name (its path in the bucket)"
    if len(name.encode("utf-8", "surrogatepass")) > OBJECT_MAX_BYTES:
        return f"an object name is at most {OBJECT_MAX_BYTES} bytes of UTF-8"
    if name[0] in "/\\":
        return "an object name cannot start with / or \\"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "an object name cannot hold control characters"
    return ""
