"""Fixtures: the CLI tests' demo catalogue and the UI tests' catalogue, shared, not copied."""

from __future__ import annotations

from tests.cli.conftest import demo_db, demo_template  # noqa: F401  (fixtures)
from tests.ui.conftest import ui_template, ui_world  # noqa: F401  (fixtures)
