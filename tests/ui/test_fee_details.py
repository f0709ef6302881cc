"""How a fee line's amount was reached, in the interface's language: the domain says it in
English with its kind and values, the fee dialog and panes say it in Chinese too."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ecsimg.domain import fees
from ecsimg.domain.fees import FeeLine, FeeProblem, Usage
from ecsimg.domain.models import PriceBook
from ecsimg.i18n import set_language
from ecsimg.i18n.en import MESSAGES as EN
from ecsimg.i18n.zh_cn import MESSAGES as ZH_CN
from ecsimg.ui.widgets.details import fee_detail
from tests.unit.test_fees import BOOK, OWNER, RECIPIENT, custom, image, product, snap

HOUR, MONTH = Usage(vcpus=2, hours=1), Usage(vcpus=4, hours=730, count=3, prepaid=True)
USER_BOOK = dataclasses.replace(BOOK, source="/home/ops/.config/ecsimg/prices.toml")
ENGLISH_WORDS = re.compile(r"\b(licence|month|months|owner|free|one-time|price|book|your|no|"
                           r"only|storage)\b")


def every_kind_of_line() -> list[FeeLine]:
    """One fee line of every kind the domain writes."""
    snaps = {"s-1": snap("s-1", 40), "s-2": snap("s-2", 100)}
    windows = image(license_os="windows", os_type="windows")
    lines = [
        fees.licence_line(image(), "cn-hangzhou", BOOK, HOUR),
        fees.licence_line(dataclasses.replace(windows, license_type="BYOL"), "cn-hongkong",
                          BOOK, HOUR),
        fees.licence_line(windows, "cn-hangzhou", BOOK, HOUR),
        fees.licence_line(windows, "cn-hongkong", BOOK, MONTH),
        fees.licence_line(windows, "cn-hongkong", PriceBook(), HOUR),
        fees.licence_line(image(license_os="rhel"), "cn-hangzhou", USER_BOOK, HOUR),
    ]
    for account, book in ((RECIPIENT, BOOK), (OWNER, BOOK), (OWNER, USER_BOOK),
                          (OWNER, PriceBook()),
                          (OWNER, dataclasses.replace(PriceBook(), source="/p.toml"))):
        line = fees.snapshot_line(custom(snaps), account, book, HOUR, snaps)
        assert line is not None
        lines.append(line)
    for model, price in (("free", 0.0), ("one_time", 99.0), ("subscription", 30.0),
                         ("hourly", 0.5)):
        priced = fees.marketplace_line(product(model, price), MONTH)
        assert not isinstance(priced, FeeProblem)
        lines.append(priced)
    return lines


def test_the_lines_cover_every_kind_and_english_is_the_domain_s_words() -> None:
    lines = every_kind_of_line()
    assert {line.how for line in lines} == set(fees.DETAILS)
    for how, words in fees.DETAILS.items():
        assert EN[f"feeline.{how}"] == words
        assert f"feeline.{how}" in ZH_CN
    for line in lines:
        assert fee_detail(line.how, line.values, line.detail) == line.detail


@pytest.mark.parametrize("line", every_kind_of_line(), ids=lambda line: line.how)
def test_in_chinese_a_line_is_said_in_chinese_with_the_same_numbers(line: FeeLine) -> None:
    set_language("zh-CN")
    said = fee_detail(line.how, line.values, line.detail)
    assert said != line.detail and re.search(r"[\u4e00-\u9fff]", said), said
    left = ENGLISH_WORDS.findall(said.replace("Alibaba Cloud Linux", "").replace("LNMP", ""))
    assert left == [], said
    numbers = re.compile(r"\d+(?:\.\d+)?")
    assert sorted(numbers.findall(said)) == sorted(numbers.findall(line.detail)), said


def test_a_detail_of_no_known_kind_is_shown_as_written() -> None:
    set_language("zh-CN")
    assert fee_detail("", (), "as written") == "as written"
    assert fee_detail("no-such-kind", (), "as written") == "as written"
