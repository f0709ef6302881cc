"""The ``ecsimg api ...`` command line equivalent to one API call, for the CLI and the dialogs."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from ecsimg.service.machinery.door import SECRET_PARAMS

HIDDEN_PARAMS = frozenset({"DryRun"})
"""Parameters a dialog adds for its own checks, never part of what the user runs."""
SECRET_PLACEHOLDER = "******"


def api_command(action: str, params: Mapping[str, str]) -> str:
    """``ecsimg api Action --Key value ...`` with every value shell-quoted.

    Secrets (Password) are shown as a placeholder so a screen or a log never shows them.
    """
    words = ["ecsimg", "api", action]
    for key, value in params.items():
        if key in HIDDEN_PARAMS:
            continue
        shown = SECRET_PLACEHOLDER if key in SECRET_PARAMS and value else str(value)
        words.append(f"--{key}")
        words.append(shlex.quote(shown))
    return " ".join(words)


def market_buy_command(image_id: str, region_id: str, amount: int | str = 1) -> str:
    """``ecsimg market buy IMAGE_ID --RegionId R --Amount N``, shell-quoted."""
    return " ".join(["ecsimg", "market", "buy", shlex.quote(image_id),
                     "--RegionId", shlex.quote(region_id), "--Amount", shlex.quote(str(amount))])
