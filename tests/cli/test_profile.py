"""``ecsimg profile list`` and ``profile use``, and how the profile is chosen."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import Runner, tree_bytes


def _rows(out: str) -> dict[str, list[str]]:
    rows = {}
    for line in out.splitlines()[1:]:
        cells = line.split()
        current = cells[0] == "*"
        name = cells[1] if current else cells[0]
        rows[name] = (["*"] if current else []) + cells[1 if current else 0:]
    return rows


def test_profile_list_shows_every_profile_and_marks_the_current_one(ecsimg: Runner) -> None:
    result = ecsimg("profile", "list")
    assert result.status == 0, result.err
    header = result.out.splitlines()[0].split()
    assert header == ["PROFILE", "ACCOUNT", "UID", "ACCOUNT", "NAME", "SITE", "REGION",
                      "READ-ONLY"]
    rows = _rows(result.out)
    assert rows["default"] == ["*", "default", "1234567890123456", "ops-china", "china",
                               "cn-hangzhou", "no"]
    assert rows["dev"] == ["dev", "2345678901234567", "dev-team", "china", "cn-shanghai", "no"]
    assert rows["partner"] == ["partner", "3456789012345678", "partner-intl", "international",
                               "ap-southeast-1", "no"]
    assert rows["audit"][-1] == "yes"


def test_profile_use_is_stored_in_the_catalogue(ecsimg: Runner, ecsimg_main: Runner) -> None:
    result = ecsimg("profile", "use", "dev")
    assert result.status == 0, result.err
    assert "dev" in result.out
    assert _rows(ecsimg_main("profile", "list").out)["dev"][0] == "*"
    # Later commands act as dev: its region is the default RegionId.
    assert ecsimg_main("api", "DescribeImages").json()["RegionId"] == "cn-shanghai"
    # --profile and ECSIMG_PROFILE win over the stored choice, --profile over the variable.
    assert ecsimg_main("--profile", "partner", "api", "DescribeImages").json()["RegionId"] == (
        "ap-southeast-1")
    by_env = ecsimg_main("api", "DescribeImages", env={"ECSIMG_PROFILE": "default"})
    assert by_env.json()["RegionId"] == "cn-hangzhou"
    both = ecsimg_main("--profile", "partner", "api", "DescribeImages",
                       env={"ECSIMG_PROFILE": "dev"})
    assert both.json()["RegionId"] == "ap-southeast-1"


def test_profile_use_of_an_unknown_name_exits_2_listing_the_names(
    ecsimg_main: Runner, demo_db: Path
) -> None:
    before = tree_bytes(demo_db)
    line = ecsimg_main("profile", "use", "nobody").usage_line()
    assert "'nobody'" in line
    for name in ("audit", "default", "dev", "partner"):
        assert name in line
    assert tree_bytes(demo_db) == before


def test_unknown_profile_from_the_environment_is_a_usage_error(ecsimg_main: Runner) -> None:
    line = ecsimg_main("api", "DescribeRegions", env={"ECSIMG_PROFILE": "ghost"}).usage_line()
    assert "'ghost'" in line and "ECSIMG_PROFILE" in line


def test_profile_use_is_refused_under_read_only(ecsimg_main: Runner, demo_db: Path) -> None:
    before = tree_bytes(demo_db)
    result = ecsimg_main("--read-only", "profile", "use", "dev")
    assert result.status == 1
    assert result.error()["Code"] == "Forbidden.ReadOnly"
    assert tree_bytes(demo_db) == before


def test_profile_without_a_verb_is_a_usage_error(ecsimg_main: Runner) -> None:
    assert "profile" in ecsimg_main("profile").usage_line()
    assert "use" in ecsimg_main("profile", "use").usage_line()
