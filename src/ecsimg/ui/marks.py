"""The styles that carry meaning (good, bad, warning), readable with and without colour.

Each is bold and a light colour: under NO_COLOR Textual turns colours into their grey of the
same lightness, so a dark red would become dark grey on a dark background. Light colours stay
light greys, and the words and weight carry the meaning.
"""

from __future__ import annotations

GOOD = "bold #87d787"
BAD = "bold #ff8787"
WARN = "bold #ffd75f"
BAD_CODE = "bold reverse #ff8787"
"""An API error code: a light block, readable on any background, with or without colour."""
WARN_CODE = "bold reverse #ffd75f"
"""A warning badge (OFFLINE): a light block, as BAD_CODE."""
MEANING_STYLES = (GOOD, BAD, WARN, BAD_CODE, WARN_CODE)
