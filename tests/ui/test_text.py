from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from ecsimg.ui.text import Hanging, cell, fit, pad, safe, sanitize


def test_plain_text_is_unchanged() -> None:
    assert sanitize("web-01 生产环境 [bold]x[/]") == "web-01 生产环境 [bold]x[/]"


def test_c0_escape_and_del_become_control_pictures() -> None:
    assert sanitize("a\x1b[31mb") == "a\u241b[31mb"
    assert sanitize("\x00\t\n\x7f") == "\u2400\u2409\u240a\u2421"


def test_c1_controls_become_hex_escapes() -> None:
    assert sanitize("x\x9by\x85") == "x\\x9by\\x85"


def test_bidi_overrides_and_zero_width_characters_are_made_visible() -> None:
    assert sanitize("a\u202eb") == "a<U+202E>b"
    assert sanitize("a\u200bb\u2066c\ufeff") == "a<U+200B>b<U+2066>c<U+FEFF>"


def test_no_control_character_survives() -> None:
    every_control = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])
    clean = sanitize(every_control)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in clean)


def test_markup_is_never_interpreted() -> None:
    text = safe("[bold red]x[/]")
    assert text.plain == "[bold red]x[/]"
    assert not text.spans


def test_fit_pads_and_crops_by_cells_with_wide_characters() -> None:
    for value in ("中文镜像名称测试", "ab中", "a", "", "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b"):
        for width in range(1, 12):
            assert cell_len(fit(value, width)) == width, (value, width)
    assert fit("中文镜像名称", 7).endswith("…")


def test_right_aligned_cells() -> None:
    assert cell("42", 5, right=True).plain == "   42"
    assert cell_len(cell("1234567", 4, right=True).plain) == 4


def _rendered(text: Hanging, width: int) -> list[str]:
    console = Console(width=width, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(text, end="")
    return captured.get().rstrip("\n").split("\n")


def test_a_hanging_line_continues_under_its_value_whatever_the_label_s_width() -> None:
    """The indent counts cells: a label of wide characters (许可证, six cells in three
    characters) wraps its value under the value, not at the left edge."""
    for label in ("Licence", "许可证", "快照存储"):
        text = Hanging()
        line = Text(pad(label, 18), end="")
        line.append("0.00 元  1 小时（1 小时）；Alibaba Cloud Linux 3.2104 LTS 64 bit："
                    "无操作系统许可证费用")
        text.add(line, 18)
        lines = _rendered(text, 60)
        assert len(lines) > 1, lines
        assert all(cell_len(line) <= 60 for line in lines), lines
        assert lines[0].startswith(label)
        assert all(line.startswith(" " * 18) and line[18] != " " for line in lines[1:]), lines
