"""Every dialog key of the main screen opens its dialog on the current image at 80x24."""

from __future__ import annotations

import pytest
from textual.screen import ModalScreen

from ecsimg.domain.models import AVAILABLE
from ecsimg.ui.dialogs.copy import CopyDialog
from ecsimg.ui.dialogs.delete import DeleteDialog
from ecsimg.ui.dialogs.edit import EditDialog
from ecsimg.ui.dialogs.fees import FeePreviewDialog
from ecsimg.ui.dialogs.new_image import NewImageDialog
from ecsimg.ui.dialogs.pickers import ActivityLog, ProfilePicker, RegionPicker
from ecsimg.ui.dialogs.replace import ReplaceDialog
from ecsimg.ui.dialogs.share import ShareDialog
from ecsimg.ui.dialogs.transfer import ExportDialog, ImportDialog
from ecsimg.ui.screens.help import HelpScreen
from ecsimg.ui.screens.main import MainScreen
from tests.ui.test_main_screen import image_list, running, settle
from tests.world import World

KEYS = [
    ("s", ShareDialog), ("c", CopyDialog), ("n", NewImageDialog), ("i", ImportDialog),
    ("x", ExportDialog), ("e", EditDialog), ("ctrl+d", DeleteDialog), ("delete", DeleteDialog),
    ("f", FeePreviewDialog), ("r", ReplaceDialog), ("R", RegionPicker), ("P", ProfilePicker),
    ("l", ActivityLog), ("question_mark", HelpScreen),
]


@pytest.mark.parametrize(("key", "screen_type"), KEYS, ids=[k for k, _ in KEYS])
async def test_each_key_opens_its_screen_and_escape_closes_it(
    ui_world: World, key: str, screen_type: type[ModalScreen[object]]
) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        own = next(r for r in rows.rows if r.kind == "custom" and r.image.status == AVAILABLE
                   and not r.image.pending_end)
        assert rows.move_to(own.key)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, screen_type)
        # The dialog fits: nothing of it lies outside the 80x24 screen.
        region = app.screen.query_one("*").region
        assert region.right <= 80 and region.bottom <= 24
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
