"""The naming rules of ECS (Rules 29-35): image names, descriptions, families, tags."""

from __future__ import annotations

import re
import unicodedata

from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Tag

MAX_TAGS = 20
_BANNED_PREFIXES = ("http://", "https://", "aliyun", "acs:")
_NAME_EXTRA = frozenset(".:_-")


def is_cjk(char: str) -> bool:
    """A Chinese (CJK unified) ideograph, which the API counts as a 'Chinese character'."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0xF900 <= code <= 0xFAFF
    )


def _is_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def name_problem(value: str, *, allow_dot: bool = True) -> str | None:
    """Why ``value`` is not a valid image or family name, or None if it is."""
    if not 2 <= len(value) <= 128:
        return "it must be 2 to 128 characters long"
    if not (_is_letter(value[0]) or is_cjk(value[0])):
        return "it must start with a letter or a Chinese character"
    lowered = value.lower()
    for prefix in _BANNED_PREFIXES:
        if lowered.startswith(prefix):
            return f"it cannot start with {prefix!r}"
    if "http://" in lowered or "https://" in lowered:
        return "it cannot contain http:// or https://"
    for char in value:
        if char.isascii() and char.isalnum():
            continue
        if is_cjk(char) or (char in _NAME_EXTRA and (allow_dot or char != ".")):
            continue
        return f"it cannot contain {_describe(char)}"
    return None


def _describe(char: str) -> str:
    if unicodedata.category(char).startswith("C") or char.isspace():
        return f"the character U+{ord(char):04X}"
    return f"the character {char!r}"


def check_image_name(value: str, param: str = "ImageName") -> None:
    problem = name_problem(value)
    if problem:
        raise ApiError(
            "InvalidImageName.Malformed", f"The specified {param} is malformed: {problem}."
        )


def check_description(value: str, param: str = "Description") -> None:
    problem = None
    if not 2 <= len(value) <= 256:
        problem = "it must be 2 to 256 characters long"
    elif value.lower().startswith(("http://", "https://")):
        problem = "it cannot start with http:// or https://"
    if problem:
        raise ApiError(
            "InvalidDescription.Malformed", f"The specified {param} is malformed: {problem}."
        )


def check_family(value: str) -> None:
    problem = name_problem(value)
    if problem:
        raise ApiError(
            "InvalidImageFamily.Malformed", f"The specified ImageFamily is malformed: {problem}."
        )


def check_tags(pairs: list[tuple[str, str]]) -> tuple[Tag, ...]:
    """Validate ``Tag.N`` key/value pairs (Rules 33-35) and return them as Tags."""
    if len(pairs) > MAX_TAGS:
        raise ApiError("InvalidTagCount", f"The number of tags must not exceed {MAX_TAGS}.")
    seen: set[str] = set()
    result = []
    for key, value in pairs:
        lowered = key.lower()
        if (
            not key
            or len(key) > 128
            or lowered.startswith(("aliyun", "acs:"))
            or "http://" in lowered
            or "https://" in lowered
        ):
            raise ApiError(
                "InvalidTagKey.Malformed", f"The specified tag key {key!r} is malformed."
            )
        lowered_value = value.lower()
        if (
            len(value) > 128
            or lowered_value.startswith("acs:")
            or "http://" in lowered_value
            or "https://" in lowered_value
        ):
            raise ApiError(
                "InvalidTagValue.Malformed", f"The specified tag value {value!r} is malformed."
            )
        if key in seen:
            raise ApiError("Duplicate.TagKey", f"The tag key {key!r} is duplicated.")
        seen.add(key)
        result.append(Tag(key, value))
    return tuple(result)


_PASSWORD_SPECIAL = set("()`~!@#$%^&*-_+=|{}[]:;'<>,.?/")


def password_problem(value: str, windows: bool) -> str | None:
    """Why ``value`` is not an acceptable instance password (Rule 103), or None."""
    if not 8 <= len(value) <= 30:
        return "it must be 8 to 30 characters long"
    classes = [
        any(c.isascii() and c.isupper() for c in value),
        any(c.isascii() and c.islower() for c in value),
        any(c.isascii() and c.isdigit() for c in value),
        any(c in _PASSWORD_SPECIAL for c in value),
    ]
    if any(not (c.isascii() and (c.isalnum() or c in _PASSWORD_SPECIAL)) for c in value):
        return "it may hold only letters, digits and ()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
    if sum(classes) < 3:
        return "it needs three of: upper case, lower case, digits, special characters"
    if windows and value.startswith("/"):
        return "a Windows password cannot start with '/'"
    return None


OSS_PREFIX = re.compile(r"^[A-Za-z0-9]{1,30}$")
