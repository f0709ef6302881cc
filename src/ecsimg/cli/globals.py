"""The options every command takes: ``--db``, ``--profile``, ``--cloud``, ``--endpoint``,
``--read-only``, ``--version``."""

from __future__ import annotations

from dataclasses import dataclass

from ecsimg.cli.args import HELP_FLAGS, UsageError

VALUED = ("--db", "--profile", "--cloud", "--endpoint")
MAY_BE_EMPTY = ("--cloud",)
"""``--cloud=`` names the aliyun CLI's current profile."""


@dataclass
class GlobalOptions:
    db: str | None = None
    """The catalogue folder; None means ECSIMG_DB, else the default."""
    profile: str | None = None
    """The profile to act as; None means ECSIMG_PROFILE, else the catalogue's current one."""
    cloud: str | None = None
    """The aliyun CLI profile (or ``env``) of a real account; None means ECSIMG_CLOUD, else
    the demo catalogue."""
    endpoint: str | None = None
    """Where cloud calls go; None means ECSIMG_ENDPOINT, else the SDK's own endpoints."""
    read_only: bool = False
    version: bool = False
    help: bool = False


def parse_globals(args: list[str]) -> tuple[GlobalOptions, str | None, list[str]]:
    """The global options before the command, the command, and the command's own arguments."""
    options = GlobalOptions()
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if not token.startswith("-") or token == "-":
            return options, token, args[index:]
        name, has_value, value = token.partition("=")
        if token in HELP_FLAGS:
            options.help = True
        elif token == "--version":
            options.version = True
        elif token == "--read-only":
            options.read_only = True
        elif name in VALUED:
            if not has_value:
                if index >= len(args) or args[index].startswith("--"):
                    raise UsageError(f"option {name} needs a value")
                value = args[index]
                index += 1
            if not value and name not in MAY_BE_EMPTY:
                raise UsageError(f"option {name} needs a non-empty value")
            setattr(options, name[2:], value)
        else:
            raise UsageError(f"unknown option {name!r} (see `ecsimg --help`)")
    return options, None, []
