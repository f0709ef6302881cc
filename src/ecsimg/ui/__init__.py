"""The Textual user interface: the only part of ecsimg that imports Textual.

Importing it sets Textual's frame-rate cap (``TEXTUAL_FPS``) to 120 unless the user set it:
Textual draws a changed screen at its next frame, so at its default of 60 a keystroke waited
up to 17 ms (8 on average) for its frame after it was handled; at 120, half that. Frames are
only drawn when something changed, so an idle console costs nothing more, and while keys
repeat the frames follow the keys. Textual reads it when first imported, so it is set here,
before any module of this package imports Textual.
"""

import os

FRAMES_PER_SECOND = 120
os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))
