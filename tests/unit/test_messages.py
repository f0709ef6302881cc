"""The message catalogue: complete in both languages, safe in a terminal, and the only source
of the interface's words (an AST scan of the UI's code for literals that bypass it)."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from pathlib import Path

import pytest

from ecsimg.domain.filtering import KINDS
from ecsimg.i18n import LANGUAGES, is_message, set_language, t
from ecsimg.i18n.en import MESSAGES as EN
from ecsimg.i18n.zh_cn import MESSAGES as ZH_CN
from ecsimg.keymap import KEY_ACTIONS
from ecsimg.service.market.price import UNIT_HOURS
from ecsimg.ui.widgets.columns import COLUMNS

SRC = Path(__file__).resolve().parents[2] / "src" / "ecsimg"
SCANNED = sorted((SRC / "ui").rglob("*.py")) + [
    SRC / "cli" / name for name in ("main.py", "commands.py", "cloud.py", "serve.py")]
"""The code whose every user-visible string must come from the catalogue: the UI, and the
commands' human messages (their argparse help and usage text stay English, as the API's
names they explain are; API JSON is never translated)."""

TEXT_ARGS: dict[str, tuple[int, ...]] = {
    "notify": (0,), "Static": (0,), "Label": (0,), "Button": (0,), "Text": (0,),
    "append": (0,), "Option": (0,), "Choice": (0,), "Tick": (0,), "field_row": (0,),
    "FormProblem": (0,), "Binding": (2,), "add_column": (0,), "cell": (0,), "safe": (0,),
    "_field": (1,), "_section": (1,), "_item": (1,), "update": (0,), "set_error": (0,),
    "Content": (0,), "Hit": (1,), "DiscoveryHit": (0,), "add": (0,), "fit": (0,),
    "assemble": tuple(range(20)), "add_columns": tuple(range(20)), "pad": (0,), "right": (0,),
    "print_line": (0,), "fail": (0,),
}
"""Callables that put text on the screen, and which positional arguments are that text."""
TEXT_KEYWORDS = frozenset({"message", "title", "placeholder", "prompt", "label", "description",
                           "help", "text", "tooltip"})
ARGPARSE = frozenset({"add_argument", "add_parser", "_parser", "_verb"})
"""The commands' argparse help: English, as `aliyun` and the API reference it mirrors are."""
TEXT_ATTRIBUTES = frozenset({"border_title", "border_subtitle", "sub_title", "TITLE",
                             "APPLY_LABEL"})
"""Attributes set to a title: their value must be a message id (or, for the app, its name)."""

ALLOWED = frozenset({
    # The product's name and API names shown as such in both languages (the real console
    # shows API parameter names untranslated too).
    "ecsimg", "ecsimg serve:", "KMSKeyId", "DestinationImageName", "ImageName", "ImageFamily",
    "KeyPairName (Linux)", "DescribePrice",
    # Example values in placeholders: account UIDs and tags are data, not language.
    "6000000000000001, 6000000000000002", "env=prod, team=web", "key=value, key=value",
    # A unit the Chinese console writes the same way.
    "GiB",
})
"""Literal texts that are not in any language, with why."""


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _words(node: ast.expr) -> list[str]:
    """The literal text of a string or f-string argument (a tuple's first item: its text, the
    second is a style); format specs and placeholders are not text."""
    if isinstance(node, ast.Tuple) and node.elts:
        return _words(node.elts[0])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [part.value for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)]
    if isinstance(node, ast.BinOp):
        return _words(node.left) + _words(node.right)
    if isinstance(node, ast.IfExp):
        return _words(node.body) + _words(node.orelse)
    return []


ID_PART = re.compile(r"[a-z0-9_]*\.[a-z0-9_.]*")
"""A message id, or the literal part of one built in an f-string (``f"key.{name}.label"``)."""


def _is_language(text: str) -> bool:
    return (any(char.isalpha() for char in text) and text.strip() not in ALLOWED
            and not ID_PART.fullmatch(text))


def bypasses(path: Path) -> list[str]:
    """``file:line: text`` of every literal that reaches the screen without the catalogue."""
    found: list[str] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(SRC.parent) if path.is_relative_to(SRC.parent) else path.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _callee(node)
            arguments = [arg for n, arg in enumerate(node.args) if n in TEXT_ARGS.get(name, ())]
            if name not in ARGPARSE:
                arguments += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
            for argument in arguments:
                for text in _words(argument):
                    if _is_language(text):
                        found.append(f"{where}:{node.lineno}: {name}({text!r})")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {getattr(target, "attr", getattr(target, "id", "")) for target in targets}
            if names & TEXT_ATTRIBUTES and node.value is not None:
                for text in _words(node.value):
                    if _is_language(text) and not is_message(text):
                        found.append(f"{where}:{node.lineno}: {sorted(names)[0]} = {text!r}")
    return found


def test_no_literal_text_bypasses_the_catalogue() -> None:
    found = [line for path in SCANNED for line in bypasses(path)]
    assert not found, "\n".join(found)


def test_the_scan_finds_a_literal_when_there_is_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('self.notify(f"Deleted {n} images")\nBinding("q", "quit", "Quit")\n'
                      'TITLE = "Share images"\nyield Static("  ")\n'
                      'Binding("q", "quit", "key.quit.label")\n', encoding="utf-8")
    found = bypasses(sample)
    assert sorted(line.partition(": ")[2] for line in found) == [
        "Binding('Quit')", "TITLE = 'Share images'", "notify(' images')",
        "notify('Deleted ')"], found


def test_every_message_exists_in_every_language() -> None:
    for language, table in LANGUAGES.items():
        assert set(table) == set(EN), language


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("message_id", sorted(EN))
def test_a_translation_takes_the_same_placeholders(message_id: str) -> None:
    assert _fields(ZH_CN[message_id]) == _fields(EN[message_id])


def test_chinese_has_no_east_asian_ambiguous_character() -> None:
    """``…``, ``·``, ``—``, ``×``, curly quotes, arrows, box and block glyphs measure one cell
    in Rich but two in a terminal set to wide ambiguous: they would push columns out of line."""
    ambiguous = {message_id: [char for char in text
                              if unicodedata.east_asian_width(char) == "A"]
                 for message_id, text in ZH_CN.items()}
    assert not {k: v for k, v in ambiguous.items() if v}


def test_glyphs_drawn_in_columns_keep_their_width_in_every_language() -> None:
    for message_id in (m for m in EN if m.startswith("glyph.") and m != "glyph.arrow"):
        assert len(ZH_CN[message_id]) == len(EN[message_id]), message_id


def test_every_message_the_code_names_exists() -> None:
    named = set()
    for path in SCANNED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _callee(node) == "t" and node.args and \
                    isinstance(node.args[0], ast.Constant):
                named.add(node.args[0].value)
    assert named - set(EN) == set()
    # The ids the code builds: per key action, tab, kind, column and period unit.
    for key_action in KEY_ACTIONS:
        assert key_action.description
        if key_action.labelled:
            assert key_action.label
        if key_action.dialog:
            assert is_message(f"key.{key_action.action_id}.name"), key_action.action_id
    for kind in KINDS:
        assert is_message(f"tab.{kind}") and is_message(f"tab.{kind}.short")
        assert kind == "all" or is_message(f"kind.{kind}")
    for column in COLUMNS:
        assert column.title
    for unit in UNIT_HOURS:
        assert is_message(f"unit.{unit}")


def test_units_and_periods_are_worded_the_same_everywhere_in_chinese() -> None:
    set_language("zh-CN")
    assert t("col.cost") == t("unit.per_month") == "元/月"
    assert t("costs.money", amount=1234.5, currency=t("unit.cny")) == "1,234.50 元/月"
    assert "CNY" not in "".join(ZH_CN.values())
    assert not re.search(r"/mo\b", "".join(ZH_CN.values()))


def test_words_the_service_writes_have_their_english_message_word_for_word() -> None:
    """The UI words some of the service's texts by message id; in English they must read as
    the service wrote them, so a change on either side shows here."""
    from ecsimg.domain.costs import NO_FAMILY
    from ecsimg.domain.fees import LICENCE, MARKETPLACE, NO_PRICE_BOOK, SNAPSHOT_STORAGE, USER_BOOK
    from ecsimg.service.images.visibility import NOT_SHAREABLE
    from ecsimg.service.reads.fees import ONE_TIME, PER_MONTH

    for kind, reason in NOT_SHAREABLE.items():
        assert EN[f"main.not_shareable.{kind}"] == reason
    assert (EN["unit.per_month"], EN["unit.one_time"]) == (PER_MONTH, ONE_TIME)
    assert (EN["fees.no_price_book"], EN["fees.user_book"]) == (NO_PRICE_BOOK, USER_BOOK)
    assert EN["costs.no_family"] == NO_FAMILY
    assert (EN["fee.licence"], EN["fee.snapshot_storage"], EN["fee.marketplace"]) == (
        LICENCE, SNAPSHOT_STORAGE, MARKETPLACE)


def _literal_arguments(tree: ast.AST, callee: str, index: int) -> set[str]:
    """The string literals passed as argument ``index`` to calls of ``callee``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) == callee and len(node.args) > index:
            argument = node.args[index]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def test_every_fixed_label_of_the_compare_view_has_its_message() -> None:
    tree = ast.parse((SRC / "service" / "reads" / "compare.py").read_text(encoding="utf-8"))
    labels = _literal_arguments(tree, "both", 0) | _literal_arguments(tree, "CompareRow", 1)
    sections = _literal_arguments(tree, "CompareRow", 0)
    assert labels and sections
    for label in labels:
        assert EN.get(f"compare.label.{label}") == label, label
    for section in sections:
        assert EN.get(f"compare.section.{section}") == section, section
