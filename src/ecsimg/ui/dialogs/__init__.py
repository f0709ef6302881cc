"""Dialogs: each module registers a factory by name; the main screen pushes them from keys.

A dialog module in this package registers itself with ``@dialog("share")`` on a function taking
a DialogRequest and returning a ``ModalScreen[DialogOutcome | None]``. The main screen looks the
name up when the key is pressed, so adding a dialog is adding a module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import ModalScreen

from ecsimg.config import Settings
from ecsimg.service.backend import Backend
from ecsimg.service.reads.image_rows import ImageRow


@dataclass(frozen=True)
class DialogRequest:
    """What a dialog works on: the caller, the current image and the marked ones."""

    backend: Backend
    settings: Settings
    current: ImageRow | None
    marked: tuple[ImageRow, ...]

    @property
    def targets(self) -> tuple[ImageRow, ...]:
        """The marked images, else the current one (what bulk actions act on)."""
        if self.marked:
            return self.marked
        return (self.current,) if self.current is not None else ()


@dataclass(frozen=True)
class DialogOutcome:
    """What the main screen does after a dialog closes with a result."""

    message: str = ""
    """Notified to the user when not empty."""
    reload: bool = True
    """Reload the rows (the catalogue changed)."""
    region_id: str | None = None
    """Switch to this region."""
    profile_name: str | None = None
    """Switch to this profile."""
    focus_key: str | None = None
    """Put the cursor on this image (``region/image_id`` or an image ID) after reloading."""
    clear_marks: bool = False
    filter_line: str | None = None
    """Put this line in the filter."""
    task_ids: tuple[str, ...] = ()
    """Tasks the dialog's calls started: watched until they end, with a notice then."""


DialogScreen = ModalScreen[DialogOutcome | None]
DialogFactory = Callable[[DialogRequest], DialogScreen]
_FACTORIES: dict[str, DialogFactory] = {}
_loaded = False


def dialog(name: str) -> Callable[[DialogFactory], DialogFactory]:
    """Register a dialog factory under the key action's dialog name (see ui/keys.py)."""

    def register(factory: DialogFactory) -> DialogFactory:
        _FACTORIES[name] = factory
        return factory

    return register


def factory_for(name: str) -> DialogFactory | None:
    """The registered factory for ``name``, importing the dialog modules on first use."""
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return _FACTORIES.get(name)
