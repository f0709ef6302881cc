"""The entry point itself: version, help, the bare command, and the last-resort funnel."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path

import pytest

from ecsimg import __version__
from ecsimg.cli import commands
from ecsimg.service.backend import Backend
from ecsimg.service.simulator import SimulatorBackend
from tests.cli.runner import Runner, run_ecsimg


def test_version_and_help_need_no_catalogue(tmp_path: Path) -> None:
    db = tmp_path / "catalogue"
    version = run_ecsimg("--version", db=db)
    assert (version.status, version.out, version.err) == (0, f"ecsimg {__version__}\n", "")
    helped = run_ecsimg("--help", db=db)
    assert helped.status == 0
    for word in ("api ACTION", "seed", "load FILE", "profile list", "market buy", "--db PATH",
                 "--profile NAME", "--read-only", "ECSIMG_DB"):
        assert word in helped.out
    assert not db.exists()


def test_subcommand_help_exits_0(ecsimg_main: Runner) -> None:
    for command in (["seed"], ["load"], ["profile"], ["market", "buy"]):
        result = ecsimg_main(*command, "--help")
        assert result.status == 0, (command, result.err)
        assert result.out.startswith("usage: ecsimg " + " ".join(command))


def test_global_options_also_work_after_the_command(ecsimg_main: Runner, tmp_path: Path) -> None:
    other = tmp_path / "second" / "catalogue"
    result = ecsimg_main("profile", "list", "--db", str(other), "--profile", "dev")
    assert result.status == 0
    assert (other / "meta.json").is_file()
    assert next(line for line in result.out.splitlines() if line.startswith("*")).split()[1] == (
        "dev")


def test_bare_command_opens_the_tui_on_the_chosen_backend(
    ecsimg_main: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Backend] = []

    def run_tui(backend: Backend) -> int:
        seen.append(backend)
        return 0

    fake = types.ModuleType("ecsimg.ui.app")
    fake.__spec__ = importlib.machinery.ModuleSpec("ecsimg.ui.app", None)
    fake.run_tui = run_tui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ecsimg.ui.app", fake)
    result = ecsimg_main("--profile", "dev", "--read-only")
    assert result.status == 0, result.err
    assert [(b.session.profile_name, b.session.read_only) for b in seen] == [("dev", True)]
    assert isinstance(seen[0], SimulatorBackend)
    assert seen[0].ctx.task_seconds_per_gib == 0.0


def test_ctrl_c_exits_130_quietly(ecsimg_main: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "api", interrupted)
    result = ecsimg_main("api", "DescribeRegions")
    assert (result.status, result.out, result.err) == (130, "", "")


def test_unexpected_exception_is_one_line_with_status_70(
    ecsimg_main: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(commands, "profile", broken)
    result = ecsimg_main("profile", "list")
    assert result.status == 70
    assert result.err == "ecsimg: internal error: ZeroDivisionError: division by zero\n"


def test_market_buy_prints_the_purchase_as_json(ecsimg_main: Runner) -> None:
    listed = ecsimg_main("api", "DescribeImages", "--ImageOwnerAlias", "marketplace",
                         "--PageSize", "100").json()["Images"]["Image"]
    results = {}
    for image in listed:
        results[image["ImageId"]] = ecsimg_main("market", "buy", image["ImageId"], "--Amount", "2")
        if results[image["ImageId"]].status == 0:
            break
    image_id, result = list(results.items())[-1]
    assert result.status == 0, result.err
    body = result.json()
    assert len(body["PurchaseIds"]) == 2 and body["RegionId"] == "cn-hangzhou"
    refused = ecsimg_main("--read-only", "market", "buy", image_id)
    assert refused.status == 1 and refused.error()["Code"] == "Forbidden.ReadOnly"
    missing = ecsimg_main("market", "buy", "m-doesnotexist0000000", "--RegionId=cn-hangzhou")
    assert missing.status == 1 and missing.error()["HttpStatus"] == 404


def test_human_messages_follow_the_locale_and_json_stays_as_the_api_has_it(
        tmp_path: Path) -> None:
    db = tmp_path / "catalogue"
    chinese = {"LANG": "zh_CN.UTF-8", "LC_ALL": ""}
    seeded = run_ecsimg("seed", "--images", "5", db=db, env=chinese)
    assert seeded.status == 0 and seeded.out.startswith("已生成"), seeded.out
    listed = run_ecsimg("profile", "list", db=db, env=chinese)
    assert "配置档案" in listed.out and "地域" in listed.out
    answered = run_ecsimg("api", "DescribeRegions", db=db, env=chinese)
    assert '"RegionId"' in answered.out and "地域" not in answered.out.split('"LocalName"')[0]
    (tmp_path / "xdg-config" / "ecsimg").mkdir(parents=True)
    (tmp_path / "xdg-config" / "ecsimg" / "config.toml").write_text(
        '[ui]\nlanguage = "en"\n', encoding="utf-8")
    english = run_ecsimg("profile", "list", db=db, env=chinese)
    assert "PROFILE" in english.out
