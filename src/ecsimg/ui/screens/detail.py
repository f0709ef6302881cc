"""The full detail screen of one image: every field, disks, shares, lineage, instances, events."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from ecsimg.service.backend import Backend
from ecsimg.service.browse import ImageDetails, ImageRow
from ecsimg.ui.widgets.details import details_text, fees_text


class DetailScreen(Screen[None]):
    """Shows everything about one image; escape goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", show=True),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    class DetailsLoaded(Message):
        def __init__(self, loaded: ImageDetails) -> None:
            super().__init__()
            self.loaded = loaded

    def __init__(self, backend: Backend, row: ImageRow) -> None:
        super().__init__()
        self._backend = backend
        self.row = row

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(Text(f"Loading {self.row.image_id}…", style="dim"), id="detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.load(self._backend, self.row)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, backend: Backend, row: ImageRow) -> None:
        loaded = backend.details(row, full=True)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailsLoaded(loaded))

    def on_detail_screen_details_loaded(self, message: DetailsLoaded) -> None:
        text = details_text(message.loaded, full=True)
        text.add("")
        text.extend(fees_text(message.loaded.fees))
        self.query_one("#detail-text", Static).update(text)
