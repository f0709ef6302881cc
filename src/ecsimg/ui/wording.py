"""Bindings shown in the current language: a BINDINGS description is a message id."""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from ecsimg.i18n import is_message, t


def localize_bindings(node: DOMNode) -> None:
    """Replace the description of each of ``node``'s bindings by its message's text.

    Textual merges a class's BINDINGS once, when the class is defined, so the text has to be
    put in per instance, after the language was chosen.
    """
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(binding, description=t(binding.description))
            if is_message(binding.description) else binding
            for binding in bindings
        ]
