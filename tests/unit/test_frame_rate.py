"""The console's frame-rate cap: 120 unless the user set Textual's own."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import ecsimg.ui.app, textual.constants as c; print(c.MAX_FPS)"


def _max_fps(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"} | env
    return subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_the_console_draws_up_to_120_frames_a_second() -> None:
    assert _max_fps() == "120"


def test_a_frame_rate_the_user_set_is_kept() -> None:
    assert _max_fps(TEXTUAL_FPS="30") == "30"
