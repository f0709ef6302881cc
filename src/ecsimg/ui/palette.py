"""The command palette's entries: every action, image IDs (jump), regions, profiles and saved
filters."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from ecsimg.i18n import t
from ecsimg.keymap import KEY_ACTIONS
from ecsimg.service.reads.row_table import columns_of
from ecsimg.ui.keys import display_keys
from ecsimg.ui.text import sanitize

if TYPE_CHECKING:
    from ecsimg.ui.screens.main import MainScreen

IMAGE_HITS = 30
MIN_IMAGE_QUERY = 2


def _with_keys(label: Content, keys: str) -> Content:
    """The entry with its keys after it, so the palette teaches the shortcut."""
    return Content.assemble(label, (f"  {keys}", "dim")) if keys else label


class EcsImgCommands(Provider):
    """Offers the main screen's actions; mutating ones say so and refuse when read-only."""

    def _main(self) -> MainScreen | None:
        from ecsimg.ui.screens.main import MainScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _commands(self) -> list[tuple[str, Callable[[], object], str, str]]:
        """(label, callback, help, keys) of every entry."""
        main = self._main()
        if main is None:
            return []
        read_only = main.backend.session.read_only
        commands: list[tuple[str, Callable[[], object], str, str]] = []
        for key_action in KEY_ACTIONS:
            if key_action.action_id == "command_palette":
                continue
            label = key_action.description
            if key_action.mutating and read_only:
                label = label + t("palette.disabled")
            keys = display_keys(main.settings.keys_for(key_action.action_id))
            commands.append((label, partial(main.run_key_action, key_action.action_id), "",
                             keys))
        for region_id, name in main.backend.regions():
            commands.append((t("palette.region", region=region_id, name=name),
                             partial(main.switch_region, region_id), t("palette.switch_region"),
                             ""))
        for info in main.backend.profiles():
            profile = info.profile
            suffix = t("palette.read_only") if profile.read_only else ""
            commands.append((t("palette.profile", profile=profile.name,
                               account=sanitize(info.account_name)) + suffix,
                             partial(main.switch_profile, profile.name),
                             t("palette.switch_profile"), ""))
        for name, line in main.settings.filters.items():
            commands.append((t("palette.filter", name=sanitize(name), line=sanitize(line)),
                             partial(main.apply_saved_filter, line), t("palette.saved_filter"),
                             ""))
        return commands

    async def discover(self) -> Hits:
        browsing = (t("palette.switch_region"), t("palette.switch_profile"))
        for label, callback, help_text, keys in self._commands():
            if help_text not in browsing:
                yield DiscoveryHit(_with_keys(Content(label), keys), callback, text=label,
                                   help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback, help_text, keys in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, _with_keys(matcher.highlight(label), keys), callback,
                          text=label, help=help_text or None)
        main = self._main()
        if main is None or main.loaded is None or len(query) < MIN_IMAGE_QUERY:
            return
        needle = query.casefold()
        found = 0
        rows = main.loaded.rows
        names = zip(columns_of(rows, "image_id"), columns_of(rows, "image_name"), strict=True)
        for index, (image_id, name) in enumerate(names):
            if needle in image_id.casefold() or needle in name.casefold():
                row = rows[index]
                display = Text.assemble((t("palette.image"), "dim"), row.image_id, " ",
                                        (sanitize(row.name), "italic"))
                yield Hit(0.9 if row.image_id.startswith(query) else 0.5, display,
                          partial(main.jump_to, row.key),
                          text=t("palette.image") + row.image_id, help=t("palette.jump"))
                found += 1
                if found >= IMAGE_HITS:
                    break
