"""Catalogue text written to attack a terminal: markup, escape sequences, controls, bidi."""

from __future__ import annotations

from ecsimg.domain import models as m
from tests.world import World

HOSTILE = {
    "link": "[link=http://evil]y[/link]",
    "markup": "[bold red]x[/]",
    "clear": "\x1b[2J\x1b[H",
    "osc52": "\x1b]52;c;ZXZpbA==\x07",
    "title": "\x1b]0;title\x07",
    "c1": "\x9b31m",
    "bidi": "\u202e",
    "zero_width": "\u200b",
    "cjk": "中文宽字符",
    "emoji": "🔥💀",
}
"""Kind to text; the first kinds are the newest images, the top rows of the list."""

SHOWN = {
    "link": "[link=http://evil]y[/link]",
    "markup": "[bold red]x[/]",
    "clear": "␛[2J␛[H",
    "osc52": "␛]52;c;ZXZpbA==␇",
    "title": "␛]0;title␇",
    "c1": "\\x9b31m",
    "bidi": "<U+202E>",
    "zero_width": "<U+200B>",
    "cjk": "中文宽字符",
    "emoji": "🔥💀",
}
"""Kind to how the screen shows it: literally, controls as visible placeholders."""

FORBIDDEN_BYTES = (
    b"\x1b]52;c;ZXZpbA==", b"\x1b]0;title", b"\x1b[2J\x1b[H", b"\x1b]8;",
    "\x9b".encode(), "\u202e".encode(), "\u200b".encode(),
)
"""What the app must never write: the data's sequences, hyperlinks, C1 CSI, bidi, ZWSP."""


def hostile_images(world: World) -> dict[str, m.Image]:
    """One own image per kind, with the text in its name, description, family, version,
    snapshot name and a tag (key without ``=``: the Tags field's separator)."""
    images = {}
    for n, (kind, text) in enumerate(HOSTILE.items()):
        images[kind] = world.image(
            image_name=f"h{n}-{text}-end", description=f"d{n}-{text}",
            image_family=f"f{n}{text}", image_version=f"v{n}{text}",
            tags=(m.Tag(f"k{n}{text.replace('=', '')}", f"t{n}{text}"),),
            creation_time=f"2025-07-{28 - n:02d}T00:00:00Z")
    world.image(image_name="plain-image", creation_time="2025-06-01T00:00:00Z")
    return images
