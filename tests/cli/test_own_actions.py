"""``market buy`` and ``load`` are the service's own actions: not offered by ``ecsimg api``."""

from __future__ import annotations

import json
from pathlib import Path

from ecsimg.service.images.load import LOAD_ACTION
from ecsimg.service.market.purchases import BUY_ACTION
from tests.cli.runner import Runner


def test_api_help_lists_only_ecs_actions(ecsimg_main: Runner) -> None:
    result = ecsimg_main("api", "--help")
    assert result.status == 0
    assert "DescribeImages" in result.out and "ecsimg:" not in result.out


def test_api_refuses_the_own_actions_as_unknown(ecsimg_main: Runner) -> None:
    for action in (BUY_ACTION, LOAD_ACTION):
        result = ecsimg_main("api", action, "--ImageId", "m-x")
        assert result.status == 2
        assert result.usage_line().startswith(f"ecsimg: unknown action '{action}'")


def test_read_only_refusal_of_buy_and_load_is_the_api_error(ecsimg_main: Runner,
                                                           tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps({"RegionId": "cn-hangzhou", "Images": {"Image": []}}))
    for args in (("market", "buy", "m-x"), ("load", str(saved))):
        result = ecsimg_main("--profile", "audit", *args)
        assert result.status == 1, args
        error = result.error()
        assert (error["Code"], error["HttpStatus"]) == ("Forbidden.ReadOnly", 403)
        assert error["RequestId"]
