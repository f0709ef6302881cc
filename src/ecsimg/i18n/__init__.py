"""The interface's messages in English and Simplified Chinese, by stable message id.

The language is set once, at start-up, by the composition root (``make_app``, the CLI's
``main``) and read by ``t``. It is module state rather than a parameter because the texts are
looked up where Textual wants plain strings at render time (bindings, tables, notifications,
class-level titles) in some forty widgets; threading a catalogue through each of them would
change every constructor for one value that never changes while the program runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecsimg.i18n.en import MESSAGES as EN
from ecsimg.i18n.zh_cn import MESSAGES as ZH_CN

LANGUAGES: dict[str, Mapping[str, str]] = {"en": EN, "zh-CN": ZH_CN}
"""Language tag to its messages; English is the fallback and the reference."""
DEFAULT = "en"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Checked in POSIX precedence order: the first one set decides."""

_current = DEFAULT


def set_language(language: str) -> None:
    """Make ``language`` (a key of LANGUAGES) the one ``t`` answers in."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
    _current = language


def current_language() -> str:
    """The language ``t`` answers in."""
    return _current


def t(message_id: str, /, **values: object) -> str:
    """The message ``message_id`` in the current language, with ``values`` put in."""
    text = LANGUAGES[_current].get(message_id)
    if text is None:
        text = EN[message_id]
    return text.format(**values) if values else text


def is_message(message_id: str) -> bool:
    """Whether ``message_id`` names a message."""
    return message_id in EN


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The language the locale variables ask for: ``zh_CN.UTF-8`` is zh-CN, anything else en."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "zh-CN" if value.lower().replace("-", "_").startswith("zh") else DEFAULT
    return DEFAULT


def choose_language(configured: str, environ: Mapping[str, str]) -> str:
    """The config file's ``ui.language`` when set, else the locale's."""
    return configured or language_from_environment(environ)
