"""The ``ecsimg`` entry point: global options, dispatch, and the one funnel for every failure.

Start-up stays light: the service, the store and the UI are imported only by the command that
needs them, so ``ecsimg --version`` and usage errors never load them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from ecsimg.cli.args import UsageError
from ecsimg.cli.globals import GlobalOptions, parse_globals
from ecsimg.cli.output import fail, print_line
from ecsimg.cloud.errors import CloudError
from ecsimg.config import ConfigError
from ecsimg.domain.errors import CatalogueError
from ecsimg.i18n import choose_language, set_language, t

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

Command = Callable[[GlobalOptions, list[str]], int]


def _commands() -> dict[str, Command]:
    from ecsimg.cli import cloud, commands

    return {
        "sync": cloud.sync,
        "api": commands.api,
        "seed": commands.seed,
        "load": commands.load,
        "profile": commands.profile,
        "market": commands.market,
        "serve": commands.serve,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ecsimg`` with ``argv`` (default: the process's arguments); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(args)
    except (UsageError, ConfigError) as err:
        fail(str(err))
        return EXIT_USAGE
    except (CatalogueError, CloudError) as err:
        # CloudError: credentials, an endpoint that cannot be reached, a reply that is not
        # the API's; each is one line that names what failed.
        fail(str(err))
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as err:  # the last resort: one line, never a traceback
        fail(t("cli.internal_error", kind=type(err).__name__, error=err))
        return EXIT_INTERNAL


def _run(args: list[str]) -> int:
    options, command, rest = parse_globals(args)
    if options.version:
        from ecsimg import __version__

        print_line(f"ecsimg {__version__}")
        return EXIT_OK
    _choose_language()
    if options.help:
        from ecsimg.cli.help import overview
        from ecsimg.locations import default_catalogue

        print_line(overview(str(default_catalogue())).rstrip("\n"))
        return EXIT_OK
    if command is None:
        return _open_tui(options)
    handler = _commands().get(command)
    if handler is None:
        raise UsageError(t("cli.unknown_command", command=repr(command)))
    return handler(options, rest)


def _choose_language() -> None:
    """The composition root of the commands: their human messages in the config file's
    language, else the locale's (API JSON is never translated)."""
    from ecsimg.config import ConfigError, load_settings

    try:
        configured = load_settings().language
    except ConfigError:
        configured = ""  # the terminal UI reports a bad file; a command still runs
    set_language(choose_language(configured, os.environ))


def _open_tui(options: GlobalOptions) -> int:
    """The bare command opens the terminal UI, imported only here so no other path loads it."""
    from ecsimg.cli.commands import open_backend
    from ecsimg.ui.app import run_tui

    return run_tui(open_backend(options, for_screen=True))


def _silence_stdout() -> None:
    # The reader went away (``ecsimg api ... | head``): point stdout at /dev/null so the
    # interpreter's final flush does not raise again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
