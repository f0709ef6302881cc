"""The aliyun CLI's parameter syntax for ``ecsimg api``: ``--Key value`` and ``--Key=value``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecsimg.service.machinery.registry import Action

# Dotted names: ``ImageId``, ``AddAccount.1``, ``Tag.1.Key``, ``Features.NvmeSupport``.
PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*\Z")
HELP_FLAGS = frozenset({"-h", "--help"})


class UsageError(Exception):
    """What the user typed is wrong: one line on stderr, exit status 2."""


@dataclass
class ApiArgs:
    """An ``api`` command line split into its action and flat parameters."""

    action: str = ""
    params: dict[str, str] = field(default_factory=dict)
    help: bool = False


def parse_api_args(tokens: Sequence[str]) -> ApiArgs:
    """Split ``ACTION --Key value --Other=value ...``; any malformed token is a UsageError."""
    parsed = ApiArgs()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token in HELP_FLAGS:
            parsed.help = True
            continue
        if not token.startswith("--"):
            if not parsed.action and not token.startswith("-"):
                parsed.action = token
                continue
            raise UsageError(f"unexpected argument {token!r}: parameters are written --Key value")
        name, has_value, value = token[2:].partition("=")
        if not has_value:
            if index >= len(tokens) or tokens[index].startswith("--"):
                raise UsageError(f"parameter --{name} needs a value (--{name} VALUE)")
            value = tokens[index]
            index += 1
        if not PARAM_NAME.match(name):
            raise UsageError(f"{token.partition('=')[0]!r} is not a parameter name")
        if name in parsed.params:
            raise UsageError(f"parameter --{name} is given twice")
        parsed.params[name] = value
    return parsed


def check_param_names(act: Action, params: dict[str, str]) -> None:
    """Refuse a parameter the action does not take, before anything runs."""
    from ecsimg.service.machinery.params import match

    for name in params:
        if match(act.params, name) is None:
            hint = _closest(name, [p.name for p in act.params])
            suggestion = f"; did you mean --{hint}?" if hint else ""
            raise UsageError(
                f"{act.name} does not take the parameter --{name}{suggestion} "
                f"(see `ecsimg api {act.name} --help`)"
            )


def unknown_action_message(name: str, known: Sequence[str]) -> str:
    hint = _closest(name, known)
    suggestion = f"; did you mean {hint}?" if hint else ""
    return f"unknown action {name!r}{suggestion} (see `ecsimg api --help` for the list)"


def _closest(name: str, candidates: Sequence[str]) -> str | None:
    # Compare without indices and case so ``--tag.1.key`` still points at ``Tag.N.Key``.
    import difflib

    def shape(text: str) -> str:
        return re.sub(r"\.(N|[0-9]+)(?=\.|$)", ".N", text).lower()

    by_shape = {shape(c): c for c in candidates}
    found = difflib.get_close_matches(shape(name), list(by_shape), n=1, cutoff=0.75)
    return by_shape[found[0]] if found else None
