"""The Textual app: thin. Styles, global keys, the error funnel; the main screen does the rest."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import ClassVar

from rich.console import RenderableType
from textual.app import App
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.worker import Worker, WorkerState

from ecsimg.config import ConfigError, Settings, load_settings
from ecsimg.domain.errors import ApiError, CatalogueError
from ecsimg.i18n import choose_language, set_language, t
from ecsimg.keymap import DEFAULT_KEYS
from ecsimg.service.backend import Backend
from ecsimg.ui.keys import keymap
from ecsimg.ui.palette import EcsImgCommands
from ecsimg.ui.screens.help import HelpScreen
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.wording import localize_bindings

TERMINATING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class EcsImgApp(App[int]):
    """ecsimg's terminal console."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "ecsimg"
    COMMANDS = App.COMMANDS | {EcsImgCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(DEFAULT_KEYS["help"], "help", "key.help.label", id="help"),
        Binding(DEFAULT_KEYS["quit"], "quit", "key.quit.label", id="quit"),
        Binding(DEFAULT_KEYS["command_palette"], "command_palette", "key.command_palette.label",
                show=False,
                priority=True, id="command_palette"),
    ]

    def __init__(self, backend: Backend, settings: Settings) -> None:
        super().__init__()
        localize_bindings(self)
        self.backend = backend
        self.settings = settings
        self.quitting = False
        """The app is ending: its screens are being taken down."""

    def on_mount(self) -> None:
        self.theme = self.settings.theme
        self.set_keymap(keymap(self.settings))
        self._exit_on_signals()
        self.push_screen(MainScreen(self.backend, self.settings))

    def _exit_on_signals(self) -> None:
        """SIGTERM, SIGHUP and SIGINT end the app as quitting does, so the terminal is
        restored (alternate screen left, mouse tracking off); a second one acts at once.

        SIGINT too: ctrl+C is a key in the TUI, so SIGINT comes from ``kill -INT``. Left to
        Python it raises KeyboardInterrupt wherever the app happens to be, half-way through
        building a widget, and Textual dies on the half-built widget with a traceback."""
        try:
            loop = asyncio.get_running_loop()
            for number in TERMINATING_SIGNALS:
                loop.add_signal_handler(number, self._terminated, number)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not in the main thread (tests) or not on this platform

    def _terminated(self, number: int) -> None:
        loop = asyncio.get_running_loop()
        for each in TERMINATING_SIGNALS:
            loop.remove_signal_handler(each)
        self.exit(128 + number)

    def exit(self, result: int | None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        self.quitting = True
        super().exit(result, return_code, message)

    def _handle_exception(self, error: Exception) -> None:
        """A handler that finds its widgets gone while the app is ending is not a crash.

        Quitting (a key or a signal) takes the screens down widget by widget while messages
        queued before it are still handled: a dialog's field change or a worker's result
        that looks up a field already removed would otherwise end a clean exit with a
        traceback and status 1. Every other error, and any error before quitting, is
        Textual's to report."""
        if self.quitting and isinstance(error, NoMatches):
            return
        super()._handle_exception(error)

    @property
    def main_screen(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings, self.main_screen.backend.session.read_only))

    def report(self, error: BaseException) -> None:
        """The error funnel: API and catalogue errors become notifications, never a crash."""
        if isinstance(error, ApiError):
            self.notify(error.message, title=error.code, severity="error", markup=False)
        elif isinstance(error, CatalogueError | ConfigError | OSError):
            self.notify(str(error), title=t("app.catalogue_error"), severity="error", markup=False)
        else:
            self.notify(f"{type(error).__name__}: {error}", title=t("app.unexpected_error"),
                        severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report(event.worker.error)


def make_app(backend: Backend, settings: Settings | None = None) -> EcsImgApp:
    """The app on ``backend``; settings default to the user's config file.

    The composition root: it sets the interface's language, from the config file or the
    locale, before any screen is built.
    """
    settings = settings if settings is not None else load_settings()
    set_language(choose_language(settings.language, os.environ))
    return EcsImgApp(backend, settings)


def run_tui(backend: Backend) -> int:
    """Run the TUI until the user quits; the exit status for the CLI."""
    try:
        settings = load_settings()
    except ConfigError as err:
        import sys

        print(f"ecsimg: {err}", file=sys.stderr)
        return 2
    result = make_app(backend, settings).run()
    return result if isinstance(result, int) else 0
