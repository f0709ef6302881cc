"""Help texts: the command overview, the list of API actions, one action's parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ecsimg.service.machinery.params import Param
    from ecsimg.service.machinery.registry import Action

OVERVIEW = """\
usage: ecsimg [GLOBAL] [COMMAND ...]

A keyboard-driven terminal console for Alibaba Cloud ECS images.

commands:
  (none)                           open the terminal UI
  api ACTION [--Key value ...]     call one API action, aliyun CLI syntax (--Key=value works too);
                                   `ecsimg api --help` lists the actions
  seed [--images N] [--random-seed N] [--force]
                                   build a demo catalogue (refuses to replace one without --force)
  load FILE ...                    add images from saved DescribeImages responses
  profile list | use NAME          list the profiles, or make NAME the current one
  profile keys NAME [--sts]        the AccessKey (or a new STS triple) that signs as NAME
  market buy IMAGE_ID [--RegionId R] [--Amount N]
                                   buy uses of a marketplace image
  serve [--host H] [--port P]      the ECS API over HTTP for the official SDKs
                                   (default 127.0.0.1:8470; --port 0 picks a free port;
                                   `ecsimg serve --help` for its fault mode)
  sync [--RegionId R ...]          with --cloud: fill the account's cache from the account

GLOBAL options (before the command):
  --db PATH        the catalogue folder (env ECSIMG_DB; default {default_db})
  --profile NAME   the profile to act as (env ECSIMG_PROFILE; default: the catalogue's current one)
  --cloud NAME     a real account: the aliyun CLI profile NAME (--cloud= for its current
                   one), or env for the default credential chain (env ECSIMG_CLOUD)
  --endpoint URL   with --cloud, send every call to URL, e.g. an ecsimg serve
                   (env ECSIMG_ENDPOINT; default: the SDK's endpoint for the region)
  --read-only      refuse every change to the catalogue
  --version        print the version and exit
  -h, --help       print this help and exit

The first command on a missing catalogue creates it with the demo catalogue.
Environment: ECSIMG_TASK_SECONDS_PER_GIB sets how long image tasks take (0: at once).

exit status: 0 success; 1 API error, unreadable catalogue or file, endpoint unreachable,
failed sync region; 2 usage error;
70 internal error; 130 interrupted.
"""

IMPLIED = frozenset({"RegionId", "DryRun", "OwnerId", "OwnerAccount", "ResourceOwnerId",
                     "ResourceOwnerAccount"})


def overview(default_db: str) -> str:
    return OVERVIEW.format(default_db=default_db)


def actions_help(actions: Mapping[str, Action]) -> str:
    """Every action with its one-line summary."""
    width = max((len(name) for name in actions), default=0)
    lines = ["usage: ecsimg [GLOBAL] api ACTION [--Key value ...]", "", "actions:"]
    for name in sorted(actions):
        act = actions[name]
        marker = "" if act.mutating else " (read)"
        lines.append(f"  {name:<{width}}  {act.summary}{marker}".rstrip())
    lines += ["", "`ecsimg api ACTION --help` lists an action's parameters.",
              "Success prints the response JSON; an API error prints {Code, Message, HttpStatus, "
              "RequestId} on stderr and exits 1."]
    return "\n".join(lines) + "\n"


def action_help(act: Action) -> str:
    """One action's parameters; ``N`` in a name is a 1-based index (``--AddAccount.1 UID``).

    The SDK names the simulator does not model are listed apart: accepted, with no effect.
    """
    own = [p for p in act.params if p.name not in IMPLIED and not p.ignored]
    ignored = [p for p in act.params if p.name not in IMPLIED and p.ignored]
    width = max((len(p.name) for p in own), default=0)
    changes = "changes the catalogue" if act.mutating else "reads only"
    lines = [f"usage: ecsimg [GLOBAL] api {act.name} [--Key value ...]", "",
             f"{act.summary} ({changes})", "", "parameters:"]
    lines += [f"  --{p.name:<{width}}  {_kind(p)}{', required' if p.required else ''}"
              for p in own] or ["  (none of its own)"]
    lines += ["", "also: --RegionId (default: the profile's region), --DryRun true|false,",
              "      --OwnerId, --OwnerAccount, --ResourceOwnerId, --ResourceOwnerAccount",
              "N in a name is an index from 1: --Tag.1.Key env --Tag.1.Value prod"]
    if ignored:
        lines += ["", "accepted and ignored (sent by the official SDK, not modelled here):"]
        lines += _columns([f"--{p.name}" for p in ignored])
    return "\n".join(lines) + "\n"


def _columns(words: list[str], width: int = 100) -> list[str]:
    """``words`` packed into lines of at most ``width`` characters, indented by two."""
    lines: list[str] = []
    line = " "
    for word in words:
        if len(line) + 1 + len(word) > width and line.strip():
            lines.append(line)
            line = " "
        line += " " + word
    if line.strip():
        lines.append(line)
    return lines


def _kind(param: Param) -> str:
    return {bool: "true|false", int: "integer", float: "number"}.get(param.kind, "string")
