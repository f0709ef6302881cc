"""OSS naming rules: what the import and export dialogs check before the API is asked."""

from __future__ import annotations

import pytest

from ecsimg.domain.oss import bucket_problem, object_problem


@pytest.mark.parametrize("name", ["abc", "ops-images-hz", "a1-b2-c3", "0" * 63])
def test_valid_bucket_names_pass(name: str) -> None:
    assert bucket_problem(name) == ""


@pytest.mark.parametrize(("name", "problem"), [
    ("", "type the bucket's name"),
    ("ab", "3 to 63 characters, not 2"),
    ("a" * 64, "3 to 63 characters, not 64"),
    ("Ops-Images", "only lowercase letters, digits and hyphens"),
    ("ops_images", "only lowercase letters, digits and hyphens"),
    ("-ops", "starts and ends with a letter or digit"),
    ("ops-", "starts and ends with a letter or digit"),
    ("ops.images", "only lowercase letters, digits and hyphens"),
])
def test_invalid_bucket_names_say_why(name: str, problem: str) -> None:
    assert problem in bucket_problem(name)


@pytest.mark.parametrize("name", ["disk.qcow2", "images/2025/web.vhd", "镜像/系统盘.raw",
                                  "a" * 1023, "with space.raw"])
def test_valid_object_names_pass(name: str) -> None:
    assert object_problem(name) == ""


@pytest.mark.parametrize(("name", "problem"), [
    ("", "type the object's name"),
    ("/rooted.qcow2", "cannot start with / or \\"),
    ("\\rooted.qcow2", "cannot start with / or \\"),
    ("line\nbreak.raw", "control characters"),
    ("a" * 1024, "at most 1023 bytes"),
    ("镜" * 342, "at most 1023 bytes"),  # 1,026 bytes of UTF-8 in 342 characters
])
def test_invalid_object_names_say_why(name: str, problem: str) -> None:
    assert problem in object_problem(name)
