from __future__ import annotations

import pytest

from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Tag
from ecsimg.domain.validation import (
    check_description,
    check_family,
    check_image_name,
    check_tags,
    name_problem,
)


def code_of(check: object, value: str) -> tuple[str, int] | None:
    """The (code, status) the check raises for ``value``, or None when it accepts it."""
    assert callable(check)
    try:
        check(value)
    except ApiError as err:
        return err.code, err.http_status
    return None


@pytest.mark.parametrize("name", [
    "ab", "x" * 128, "web-base_v1.2:prod", "网站镜像", "镜像-v1", "中国", "𠀀𠀁",
    "Web2025", "a1", "aliyu", "acs-web", "httpd-server",
])
def test_rule_029_valid_image_names(name: str) -> None:
    assert name_problem(name) is None
    check_image_name(name)


@pytest.mark.parametrize("name", [
    "a", "中",           # 1 char
    "x" * 129,           # 129 chars
    "",                  # empty
    "1web",              # starts with a digit
    "-web", "_web", ".web", ":web",
    "aliyun-web", "Aliyun_web", "ALIYUNweb", "aliyun",
    "acs:web", "ACS:web",
    "http://web", "https://web", "HTTP://web",
    "web http://x",      # contains a URL (and a space)
    "web base",          # space
    "web/base", "web@base", "web,base",
    "web\x00", "web\x07", "web\x1bbase", "web\x7f", "web\x85", "web\u200bbase",
    "Ｗeb",              # full-width letter first
    "あいう",            # kana is not a Chinese character
    "web\u3000base",     # ideographic space
])
def test_rule_029_malformed_image_names(name: str) -> None:
    assert code_of(check_image_name, name) == ("InvalidImageName.Malformed", 400)


def test_rule_029_control_characters_are_named_visibly_in_the_message() -> None:
    with pytest.raises(ApiError) as caught:
        check_image_name("web\x1bbase")
    assert "U+001B" in caught.value.message and "\x1b" not in caught.value.message


def test_rule_029_the_parameter_name_is_in_the_message() -> None:
    with pytest.raises(ApiError) as caught:
        check_image_name("a", "DestinationImageName")
    assert "DestinationImageName" in caught.value.message


@pytest.mark.parametrize("description", [
    "ab", "d" * 256, "基础镜像", "see http://example.com for details", "web\tbase",
])
def test_rule_031_valid_descriptions(description: str) -> None:
    assert code_of(check_description, description) is None


@pytest.mark.parametrize("description", [
    "a", "d" * 257, "http://example.com", "https://example.com", "HTTPS://EXAMPLE.COM",
])
def test_rule_031_malformed_descriptions(description: str) -> None:
    assert code_of(check_description, description) == ("InvalidDescription.Malformed", 400)


@pytest.mark.parametrize("family", ["web", "网站族", "web-family_1:v2", "f" * 128])
def test_rule_032_valid_families(family: str) -> None:
    assert code_of(check_family, family) is None


@pytest.mark.parametrize("family", [
    "f", "f" * 129, "aliyun_linux", "acs:ubuntu_22_04_x64", "9web", "https://web",
    "web family", "web\x00",
])
def test_rule_032_malformed_families(family: str) -> None:
    assert code_of(check_family, family) == ("InvalidImageFamily.Malformed", 400)


def test_rule_033_tag_keys_and_values() -> None:
    assert check_tags([("env", "prod"), ("team", "")]) == (Tag("env", "prod"), Tag("team", ""))
    for key in ("", "k" * 129, "aliyun:x", "acs:x", "x http://y"):
        with pytest.raises(ApiError) as caught:
            check_tags([(key, "v")])
        assert caught.value.code == "InvalidTagKey.Malformed"
    for value in ("v" * 129, "acs:x", "see https://y"):
        with pytest.raises(ApiError) as caught:
            check_tags([("k", value)])
        assert caught.value.code == "InvalidTagValue.Malformed"


def test_rule_034_duplicate_tag_keys() -> None:
    with pytest.raises(ApiError) as caught:
        check_tags([("env", "a"), ("env", "b")])
    assert (caught.value.code, caught.value.http_status) == ("Duplicate.TagKey", 400)


def test_rule_035_at_most_20_tags() -> None:
    assert len(check_tags([(f"k{n}", "") for n in range(20)])) == 20
    with pytest.raises(ApiError) as caught:
        check_tags([(f"k{n}", "") for n in range(21)])
    assert caught.value.code == "InvalidTagCount"
