"""At 80x24 every dialog's buttons are on screen, however long its form."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from tests.ui.dialog_host import SIZE, open_dialog, settle
from tests.world import World


@pytest.mark.parametrize("name", ["share", "copy", "delete", "edit", "fee_preview", "new_image",
                                  "replace_disk", "import", "export"])
async def test_buttons_are_visible_at_80x24(world: World, name: str) -> None:
    instance = world.instance()
    world.data_disk(instance)
    image = world.image(image_name="web", source_instance_id=instance.instance_id)
    app = open_dialog(world, name, (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        buttons = list(app.screen.query(Button))
        assert buttons
        for button in buttons:
            region = button.region
            assert region.area, (name, button.id)
            found, _ = app.screen.get_widget_at(region.x + 1, region.y)
            assert found is button, (name, button.id, found)
