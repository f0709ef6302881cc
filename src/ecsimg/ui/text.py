"""Showing untrusted catalogue text safely: no markup, visible control and format characters."""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from ecsimg.i18n import t

# C0, DEL, C1, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
# bidi marks/embeddings/overrides, line and paragraph separators, word joiner and invisible
# operators, bidi isolates, BOM, interlinear annotations, tag characters and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff]"
)


def _placeholder(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␀ for NUL...
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


ELLIPSIS = "…"
"""Rich's mark of cropped text, which it draws itself."""


def ellipsis() -> str:
    """The mark of cropped text: ``…`` is East Asian Ambiguous, so zh-CN draws ``⋯`` (narrow
    in every terminal) lest a terminal set to wide ambiguous push the columns after it."""
    return t("glyph.ellipsis")


def sanitize(text: str) -> str:
    """``text`` with every control, bidi and invisible format character replaced visibly."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda found: _placeholder(found.group()), text)


def fit(text: str, width: int) -> str:
    """Sanitised ``text`` cropped (with an ellipsis) or padded to exactly ``width`` cells."""
    clean = sanitize(text)
    if width <= 0:
        return ""
    if cell_len(clean) > width:
        clean = set_cell_size(clean, width - 1) + ellipsis()
    return set_cell_size(clean, width)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces to ``width`` display cells (a CJK character is two)."""
    return text + " " * max(width - cell_len(text), 0)


def right(text: str, width: int) -> str:
    """``text`` after spaces to ``width`` display cells: a right-aligned heading."""
    return " " * max(width - cell_len(text), 0) + text


def currency_name(code: str) -> str:
    """A price book's currency as the console words it (``CNY`` is 元 in Chinese)."""
    return t("unit.cny") if code == "CNY" else code


def safe(text: str, style: str | Style = "") -> Text:
    """A Rich Text of sanitised ``text``: never parsed as markup."""
    return Text(sanitize(text), style=style, end="")


def cell(text: str, width: int, style: str | Style = "", right: bool = False) -> Text:
    """A cell of exactly ``width`` cells (right-aligned numbers when ``right``)."""
    if right:
        clean = sanitize(text)
        if cell_len(clean) <= width:
            return Text(" " * (width - cell_len(clean)) + clean, style=style, end="")
    return Text(fit(text, width), style=style, end="")


class Hanging:
    """Lines whose wrapped parts are indented under the value, so labels keep their column.

    Rich wraps a long line back to the left edge; in a narrow pane that puts values under the
    labels and makes "ID" sit alone on a line above its value.
    """

    def __init__(self) -> None:
        self.lines: list[tuple[Text, int]] = []
        self.cropped: set[int] = set()
        """Indexes of lines cut to the width (with an ellipsis) instead of wrapped."""

    def add(self, line: Text | str, indent: int = 0, crop: bool = False) -> None:
        """One line; when it wraps, the rest goes ``indent`` cells in; ``crop``: it never
        wraps, so the lines after it keep their place whatever its length."""
        if crop:
            self.cropped.add(len(self.lines))
        self.lines.append((line if isinstance(line, Text) else Text(line, end=""), indent))

    def extend(self, other: Hanging) -> None:
        self.cropped.update(len(self.lines) + n for n in other.cropped)
        self.lines.extend(other.lines)

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line, _ in self.lines)

    def __str__(self) -> str:
        return self.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 1)
        for number, (line, indent) in enumerate(self.lines):
            if number in self.cropped:
                cut = line.copy()
                if ellipsis() != ELLIPSIS and cut.cell_len > width:
                    # Rich's own ellipsis is "…": crop one cell short and put ours instead.
                    cut.truncate(width - 1, overflow="crop")
                    cut.append(ellipsis())
                cut.truncate(width, overflow="ellipsis")
                cut.end = "\n"
                yield cut
                continue
            room = width - indent
            if indent <= 0 or room < 12 or line.cell_len <= width:
                for part in line.wrap(console, width, overflow="fold"):
                    part.end = "\n"
                    yield part
                continue
            # ``indent`` counts cells: a wide label (许可证) holds fewer characters.
            head, body = line.divide([_index_at_cell(line.plain, indent)])
            for n, part in enumerate(body.wrap(console, room, overflow="fold")):
                part.rstrip()
                yield Text.assemble(head if n == 0 else " " * indent, part, end="\n")


def _index_at_cell(text: str, cells: int) -> int:
    """The index of the first character of ``text`` that starts at or after cell ``cells``."""
    width = 0
    for index, char in enumerate(text):
        if width >= cells:
            return index
        width += cell_len(char)
    return len(text)


def plural(count: int, noun: str) -> str:
    """``1 account``, ``2 accounts``: a count with its noun agreeing."""
    return t(f"count.{noun}" if count == 1 else f"count.{noun}s", count=count)
