"""The full detail screen of one image: every field, disks, shares, lineage, instances, events."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ecsimg.i18n import t
from ecsimg.keymap import DEFAULT_KEYS, KEY_ACTIONS
from ecsimg.service.backend import Backend
from ecsimg.service.reads import image_rows
from ecsimg.service.reads.browse import ImageDetails
from ecsimg.service.reads.image_rows import ImageRow
from ecsimg.ui.text import cell
from ecsimg.ui.widgets.details import detail_ids, details_text, events_text, fees_text
from ecsimg.ui.wording import localize_bindings

if TYPE_CHECKING:
    from ecsimg.ui.screens.main import MainScreen

IMAGE_DIALOGS = ("share", "copy", "export", "edit", "delete", "fee_preview", "replace_disk")
"""The dialogs that act on one image: each works from the detail view as from the list."""
WIDE_COLUMNS = 110
"""From this width the details and the lists beside them take two columns."""


def _detail_bindings() -> list[BindingType]:
    bindings: list[BindingType] = [
        Binding("escape", "app.pop_screen", "binding.back", show=True),
        Binding("q", "app.pop_screen", "binding.back", show=False),
        Binding(DEFAULT_KEYS["copy_id"], "copy_id", "detail.copy_an_id", show=True,
                id="copy_id"),
    ]
    for key_action in KEY_ACTIONS:
        if key_action.dialog in IMAGE_DIALOGS:
            bindings.append(Binding(
                DEFAULT_KEYS[key_action.action_id], f"image_dialog('{key_action.dialog}')",
                f"key.{key_action.action_id}.name",
                show=key_action.footer, id=key_action.action_id))
    return bindings


class CopyIdPicker(ModalScreen[str | None]):
    """Every ID the detail view shows; enter copies the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "dialog.cancel")]
    DEFAULT_CSS = """
    CopyIdPicker { align: center middle; }
    CopyIdPicker > OptionList { width: 80; max-width: 100%; height: auto; max-height: 80%;
                                border: round $accent; background: $surface; }
    """

    def __init__(self, ids: list[tuple[str, str]]) -> None:
        super().__init__()
        localize_bindings(self)
        self._ids = ids

    def compose(self) -> ComposeResult:
        options = OptionList(*[
            Option(Text.assemble(cell(what, 28), " ", (value, "bold"), end=""), id=str(n))
            for n, (what, value) in enumerate(self._ids)])
        options.border_title = t("detail.copy_which")
        yield options

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._ids[int(event.option.id or 0)][1])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class DetailScreen(Screen[None]):
    """Shows everything about one image; its actions work here too; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = _detail_bindings()
    DEFAULT_CSS = """
    DetailScreen #detail-columns { height: 1fr; }
    DetailScreen #detail-body { width: 1fr; padding: 0 1; }
    DetailScreen #detail-side { width: 1fr; padding: 0 1; border-left: vkey $panel-lighten-2; }
    DetailScreen.-narrow #detail-columns { layout: vertical; }
    DetailScreen.-narrow #detail-body { height: auto; max-height: 100%; }
    DetailScreen.-narrow #detail-side { height: auto; border-left: none;
                                        border-top: hkey $panel-lighten-2; }
    DetailScreen.-narrow #detail-columns { overflow-y: auto; }
    """

    class DetailsLoaded(Message):
        def __init__(self, loaded: ImageDetails) -> None:
            super().__init__()
            self.loaded = loaded

    class ImageGone(Message):
        """The image was deleted (from this view's delete key, or elsewhere)."""

    def __init__(self, backend: Backend, row: ImageRow) -> None:
        super().__init__()
        localize_bindings(self)
        self._backend = backend
        self.row = row
        self.loaded: ImageDetails | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="detail-columns"):
            with VerticalScroll(id="detail-body"):
                yield Static(Text(t("detail.loading", image=self.row.image_id), style="italic"),
                             id="detail-text")
            with VerticalScroll(id="detail-side"):
                yield Static("", id="detail-side-text")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_layout()
        self.load(self._backend, self.row)
        self.set_interval(1.0, self._follow_busy_image)

    def _follow_busy_image(self) -> None:
        """Status, progress and time left move while the image is Waiting or Creating; once it
        is done, it is read once more (its status, and whatever else its creation changed)."""
        loaded = self.loaded
        if loaded is not None and (image_rows.is_busy(self.row, self._backend.now())
                                   or image_rows.is_busy_status(loaded.status)):
            self.load(self._backend, self.row)

    def on_resize(self) -> None:
        self._apply_layout()

    def _apply_layout(self) -> None:
        self.set_class(self.app.size.width < WIDE_COLUMNS, "-narrow")

    def on_screen_resume(self) -> None:
        """Back from a dialog: show what it changed."""
        if self.loaded is not None:
            self.load(self._backend, self.row)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, backend: Backend, row: ImageRow) -> None:
        fresh = backend.row_of(row)
        if fresh is None and self.loaded is not None:
            self.post_message(self.ImageGone())
            return
        loaded = backend.details(fresh or row, full=True)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailsLoaded(loaded))

    def on_detail_screen_details_loaded(self, message: DetailsLoaded) -> None:
        self.loaded = message.loaded
        self.row = message.loaded.row
        self.query_one("#detail-text", Static).update(
            details_text(message.loaded, full=True, events=False))
        side = fees_text(message.loaded.fees)
        side.add("")
        side.extend(events_text(message.loaded))
        self.query_one("#detail-side-text", Static).update(side)

    def on_detail_screen_image_gone(self) -> None:
        self.notify(t("detail.gone", image=self.row.image_id), markup=False)
        if self.app.screen is self:
            self.app.pop_screen()

    @property
    def main_screen(self) -> MainScreen:
        from ecsimg.ui.screens.main import MainScreen

        return next(s for s in self.app.screen_stack if isinstance(s, MainScreen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An action the list would refuse on this image is shown disabled here too."""
        if action == "image_dialog" and parameters and isinstance(parameters[0], str):
            return None if self.main_screen.disabled_reason(parameters[0], self.row, 0) else True
        return True

    def on_key(self, event: events.Key) -> None:
        """Say why a disabled action key does nothing here."""
        for key_action in KEY_ACTIONS:
            keys = self.main_screen.settings.keys_for(key_action.action_id).split(",")
            if key_action.dialog in IMAGE_DIALOGS and event.key in keys:
                reason = self.main_screen.disabled_reason(key_action.dialog, self.row, 0)
                if reason:
                    event.stop()
                    self.notify(t("main.key_disabled", what=t(f"key.{key_action.action_id}.name"),
                                  reason=reason), severity="warning", markup=False)
                return

    def action_image_dialog(self, name: str) -> None:
        self.main_screen.action_dialog(name, self.row)

    def action_copy_id(self) -> None:
        if self.loaded is None:
            return
        self.app.push_screen(CopyIdPicker(detail_ids(self.loaded)), self._copy_chosen)

    def _copy_chosen(self, value: str | None) -> None:
        if value:
            self.app.copy_to_clipboard(value)
            self.notify(t("main.copied", image=value), markup=False)
