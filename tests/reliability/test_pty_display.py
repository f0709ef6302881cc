"""Hostile catalogue text in a real terminal: the bytes ecsimg writes carry none of it as
control sequences, and a terminal emulator shows it literally with the columns aligned."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pyte
from benchmarks.pty_session import PtySession

from tests.cli.runner import cli_env
from tests.reliability.hostile import FORBIDDEN_BYTES, HOSTILE, SHOWN, hostile_images
from tests.world import World

COLUMNS, LINES = 80, 24
WIDE = "\0"
"""Stands for the right half of a wide character, so a line has one character per cell."""
SCROLLBAR = "▁▂▃▄▅▆▇█"


def emulate(output: bytes) -> list[str]:
    """The screen a VT100-style terminal shows after ``output``: one string per line, one
    character per cell."""
    screen = pyte.Screen(COLUMNS, LINES)
    pyte.ByteStream(screen).feed(output)
    return ["".join(screen.buffer[y][x].data or WIDE for x in range(COLUMNS))
            for y in range(LINES)]


def text_of(lines: list[str]) -> str:
    return "\n".join(line.replace(WIDE, "") for line in lines)


def keys_then_screen(session: PtySession, keys: bytes) -> list[str]:
    for key in keys:
        session.send(bytes([key]))
        session.read_until_quiet(0.3, at_most=5)
    return emulate(bytes(session.output))


def test_hostile_text_in_a_real_terminal_80x24(tmp_path: Path) -> None:
    world = World(tmp_path)
    hostile_images(world)
    env = cli_env(world.repo.location)
    env["TERM"] = "xterm-256color"
    with PtySession([sys.executable, "-m", "ecsimg"], env, columns=COLUMNS, lines=LINES) as tty:
        assert tty.wait_for(re.compile(rb"h0-"), 30) is not None, tty.tail_text()
        # The details pane fills after the rows, from a worker: on a busy machine that can be
        # later than a quiet gap, so the screen is read again until it shows the first row's.
        deadline = time.monotonic() + 30
        while True:
            tty.read_until_quiet(0.5, at_most=10)
            first = emulate(bytes(tty.output))
            if f"h0-{SHOWN['link']}-end" in text_of(first) or time.monotonic() > deadline:
                break
        detail = keys_then_screen(tty, b"j\r")
        back = keys_then_screen(tty, b"\x1b")
        keys_then_screen(tty, b"jj")
        # The edit dialog on the OSC 52 image: on a busy machine it may open after a pause
        # longer than the quiet gap, so its title is waited for.
        tty.send(b"e")
        assert tty.wait_for(re.compile(rb"Edit image"), 15) is not None, tty.tail_text()
        tty.read_until_quiet(0.3, at_most=5)
        dialog = emulate(bytes(tty.output))
        keys_then_screen(tty, b"\x1b")
        output = bytes(tty.output)

    for sequence in FORBIDDEN_BYTES:
        assert sequence not in output, sequence

    # The list: each visible row shows its name literally, and every column starts at the
    # same cell whatever the name holds (wide, zero-width, placeholders).
    rows = [line for line in first if "Available" in line and re.search(r" h\d-", line)]
    assert len(rows) >= 6, text_of(first)
    for line in rows:
        n = int(line[line.index(" h") + 2])
        kind = list(HOSTILE)[n]
        shown = line.replace(WIDE, "")
        assert f"h{n}-{SHOWN[kind][:8]}" in shown, (kind, shown)
    for column_text in ("Aliyun", "Available"):
        assert len({line.index(column_text) for line in rows}) == 1, column_text
    # The last column ends at the same cell too (the scrollbar's glyphs aside).
    assert len({len(line.rstrip(" " + SCROLLBAR)) for line in rows}) == 1
    # The details pane of the first row, with its border column unmoved.
    assert f"h0-{SHOWN['link']}-end" in text_of(first)
    pane = [line for line in first if "▏" in line and "Palette" not in line]
    assert len(pane) >= 5 and len({line.index("▏") for line in pane}) == 1

    assert "h1-[bold red]x[/]-end" in text_of(detail)
    assert "d1-[bold red]x[/]" in text_of(detail)
    assert "f1[bold red]x[/]" in text_of(detail)
    # Back on the list, nothing the detail screen drew is left over.
    assert [line for line in back if "Available" in line] == [
        line for line in first if "Available" in line]
    dialog_text = text_of(dialog)
    assert "Edit image" in dialog_text
    assert f"h3-{SHOWN['osc52']}-end" in dialog_text and f"d3-{SHOWN['osc52']}" in dialog_text
    framed = [line for line in dialog if line.lstrip(" /▔").startswith("│")]
    assert len(framed) >= 10 and len({line.rstrip(" ▇▔").rindex("│") for line in framed}) == 1
