"""A dialog's result that arrives while the app is ending (SIGTERM mid-apply) is dropped.

Found by the TUI signal campaign (tests/reliability/test_kill_tui.py): a SIGTERM while the share
dialog applied made the dialog close onto a main screen whose widgets were already removed,
and the app ended with a traceback and status 1 instead of 143.
"""

from __future__ import annotations

import signal

from ecsimg.config import Settings
from ecsimg.ui.app import make_app
from ecsimg.ui.dialogs import DialogOutcome
from ecsimg.ui.screens.main import MainScreen
from tests.ui.test_main_screen import settle
from tests.world import World


async def test_a_dialog_result_after_the_app_began_to_end_changes_nothing(
        ui_world: World) -> None:
    app = make_app(ui_world.backend(), Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        app.exit(128 + signal.SIGTERM)  # what the SIGTERM handler does
    assert not app.is_running and not main.children
    # The share dialog's outcome, as its apply's return would deliver it now (in the app's
    # context, as the callback runs).
    with app._context():
        main._dialog_closed(DialogOutcome(message="Sharing changed on 1 image: +2 -0 accounts",
                                          reload=True, clear_marks=True))
    assert app.return_value == 143
