"""The commands: ``api``, ``seed``, ``load``, ``profile`` and ``market``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ecsimg.cli.args import UsageError, check_param_names, parse_api_args, unknown_action_message
from ecsimg.cli.globals import GlobalOptions
from ecsimg.cli.output import fail, print_error_json, print_json, print_line, table

if TYPE_CHECKING:
    from ecsimg.domain.errors import ApiError
    from ecsimg.service.context import Context

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _ParserExit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one UsageError line instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog.removeprefix('ecsimg ')}: {message} "
                         f"(see `{self.prog} --help`)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            fail(message.strip())
        raise _ParserExit(status)


def _parser(prog: str, description: str) -> _Parser:
    parser = _Parser(prog=prog, description=description, allow_abbrev=False)
    _add_globals(parser)
    return parser


def _verb(verbs: Any, name: str, help: str) -> _Parser:
    parser: _Parser = verbs.add_parser(name, help=help, description=help, allow_abbrev=False)
    _add_globals(parser)
    return parser


def _add_globals(parser: _Parser) -> None:
    # Global options are also accepted after the command, where they are easy to append.
    parser.add_argument("--db", default=argparse.SUPPRESS, help="the catalogue folder")
    parser.add_argument("--profile", default=argparse.SUPPRESS, help="the profile to act as")
    parser.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                        help="refuse every change")


def _parse(parser: _Parser, options: GlobalOptions, args: list[str]) -> argparse.Namespace | int:
    """Parsed arguments, or the exit status when argparse printed help."""
    try:
        namespace = parser.parse_args(args)
    except _ParserExit as done:
        return done.status
    for name in ("db", "profile", "read_only"):
        if hasattr(namespace, name):
            setattr(options, name, getattr(namespace, name))
    return namespace


def context(options: GlobalOptions) -> Context:
    """Open (or create) the catalogue and build the caller's context."""
    from ecsimg.bootstrap import UnknownProfile, make_context, open_catalogue

    repo = open_catalogue(options.db)
    try:
        return make_context(repo, options.profile, read_only=options.read_only)
    except UnknownProfile as err:
        raise UsageError(str(err)) from None


def _api_error(err: ApiError, ctx: Context | None) -> int:
    request_id = getattr(err, "request_id", None)
    if not isinstance(request_id, str) or not request_id:
        from ecsimg.domain.ids import IdFactory

        request_id = (ctx.ids if ctx is not None else IdFactory()).request_id()
    print_error_json(err.to_dict(request_id))
    return EXIT_FAILED


def _read_only_error(what: str, profile: str) -> ApiError:
    from ecsimg.domain.errors import ApiError

    return ApiError("Forbidden.ReadOnly",
                    f"Profile '{profile}' is read-only: {what} would change the catalogue.", 403)


# -- api --------------------------------------------------------------------------------------


def api(options: GlobalOptions, args: list[str]) -> int:
    """``ecsimg api ACTION --Key value ...``: names are checked before the catalogue is opened."""
    parsed = parse_api_args(args)
    from ecsimg import service
    from ecsimg.cli import help as help_text
    from ecsimg.domain.errors import ApiError

    if not parsed.action:
        if parsed.help:
            print_line(help_text.actions_help(service.ACTIONS).rstrip("\n"))
            return EXIT_OK
        raise UsageError("api needs an ACTION (see `ecsimg api --help` for the list)")
    try:
        act = service.lookup(parsed.action)
    except service.UnknownAction:
        raise UsageError(unknown_action_message(parsed.action, list(service.ACTIONS))) from None
    if parsed.help:
        print_line(help_text.action_help(act).rstrip("\n"))
        return EXIT_OK
    check_param_names(act, parsed.params)
    ctx = context(options)
    try:
        body = service.call(ctx, act.name, parsed.params)
    except service.UnknownParameter as err:
        raise UsageError(str(err)) from None
    except ApiError as err:
        return _api_error(err, ctx)
    print_json(body)
    return EXIT_OK


# -- seed -------------------------------------------------------------------------------------


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def seed(options: GlobalOptions, args: list[str]) -> int:
    """Build a demo catalogue; an existing one is replaced only with --force (else exit 2)."""
    parser = _parser("ecsimg seed", "Build a demo catalogue: the same for the same --random-seed.")
    parser.add_argument("--images", type=_count, default=None, metavar="N",
                        help="how many images (default: the standard demo catalogue)")
    parser.add_argument("--random-seed", type=_count, default=0, metavar="N",
                        help="the seed of the generator (default 0)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing catalogue (its contents are lost)")
    namespace = _parse(parser, options, args)
    if isinstance(namespace, int):
        return namespace
    from ecsimg.bootstrap import open_repository, seed_demo
    from ecsimg.domain.errors import ApiError
    from ecsimg.store import tables

    repo = open_repository(options.db)
    replace = not repo.is_empty()
    if replace:
        if not namespace.force:
            raise UsageError(f"{repo.location} already holds a catalogue; add --force to replace "
                             "it (its contents are lost)")
        if options.read_only:
            return _api_error(_read_only_error("seed --force", "--read-only"), None)
    elif options.read_only:
        return _api_error(_read_only_error("seed", "--read-only"), None)
    try:
        # Built aside and swapped in: a foreign folder is refused, an interrupted seed leaves
        # the old catalogue.
        seed_demo(repo, images=namespace.images, random_seed=namespace.random_seed,
                  replace=replace)
    except ApiError as err:
        return _api_error(err, None)
    with repo.read() as view:
        images = len(view.all(tables.IMAGES))
        profiles = len(view.all(tables.PROFILES))
    print_line(f"seeded {repo.location}: {images} images, {profiles} profiles "
               f"(random seed {namespace.random_seed})")
    return EXIT_OK


# -- load -------------------------------------------------------------------------------------


def load(options: GlobalOptions, args: list[str]) -> int:
    """Add images from saved DescribeImages responses: all files or none."""
    parser = _parser("ecsimg load", "Add images from saved DescribeImages responses "
                     "(the JSON the API or the aliyun CLI prints).")
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    namespace = _parse(parser, options, args)
    if isinstance(namespace, int):
        return namespace
    from ecsimg.domain.errors import ApiError
    from ecsimg.service.load import LoadError, load_files

    ctx = context(options)
    try:
        result = load_files(ctx, namespace.files)
    except LoadError as err:
        fail(str(err))
        return EXIT_FAILED
    except ApiError as err:
        return _api_error(err, ctx)
    loaded = result.added + result.updated
    print_line(f"loaded {loaded} image{'s' if loaded != 1 else ''} from {result.files} "
               f"file{'s' if result.files != 1 else ''}: {result.added} added, "
               f"{result.updated} updated")
    return EXIT_OK


# -- profile ----------------------------------------------------------------------------------


def profile(options: GlobalOptions, args: list[str]) -> int:
    """``profile list`` and ``profile use NAME``."""
    parser = _parser("ecsimg profile", "List the profiles, or choose the current one.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="list | use NAME",
                                  parser_class=_Parser)
    _verb(verbs, "list", "the profiles, the current one marked *")
    use = _verb(verbs, "use", "make NAME the current profile of this catalogue")
    use.add_argument("name", metavar="NAME")
    namespace = _parse(parser, options, args)
    if isinstance(namespace, int):
        return namespace
    if namespace.verb == "list":
        return _profile_list(options)
    return _profile_use(options, namespace.name)


def _profile_list(options: GlobalOptions) -> int:
    from ecsimg.bootstrap import UnknownProfile, choose_profile, open_catalogue
    from ecsimg.store import tables

    repo = open_catalogue(options.db)
    try:
        current = choose_profile(repo, options.profile).name
    except UnknownProfile as err:
        fail(f"warning: {err}")
        current = ""
    with repo.read() as view:
        profiles = sorted(view.all(tables.PROFILES), key=lambda p: p.name)
        accounts = {p.account_id: view.get(tables.ACCOUNTS, p.account_id) for p in profiles}
    rows = []
    for p in profiles:
        account = accounts[p.account_id]
        rows.append(["*" if p.name == current else "", p.name, p.account_id,
                     account.name if account else "?", account.site if account else "?",
                     p.region_id, "yes" if p.read_only else "no"])
    print_line(table(["", "PROFILE", "ACCOUNT UID", "ACCOUNT NAME", "SITE", "REGION",
                      "READ-ONLY"], rows).rstrip("\n"))
    return EXIT_OK


def _profile_use(options: GlobalOptions, name: str) -> int:
    from ecsimg.bootstrap import UnknownProfile, open_catalogue, use_profile

    repo = open_catalogue(options.db)
    if options.read_only:
        return _api_error(_read_only_error("profile use", "--read-only"), None)
    try:
        chosen = use_profile(repo, name)
    except UnknownProfile as err:
        raise UsageError(str(err)) from None
    print_line(f"current profile: {chosen.name} (account {chosen.account_id}, "
               f"region {chosen.region_id}{', read-only' if chosen.read_only else ''})")
    return EXIT_OK


# -- market -----------------------------------------------------------------------------------


def market(options: GlobalOptions, args: list[str]) -> int:
    """``market buy IMAGE_ID [--RegionId R] [--Amount N]``."""
    parser = _parser("ecsimg market", "Buy uses of marketplace images.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="buy",
                                  parser_class=_Parser)
    buy = _verb(verbs, "buy", "buy uses of a marketplace image in a region")
    buy.add_argument("image_id", metavar="IMAGE_ID")
    buy.add_argument("--RegionId", dest="region_id", default="", metavar="R",
                     help="the region (default: the profile's)")
    buy.add_argument("--Amount", dest="amount", type=_count, default=1, metavar="N",
                     help="how many uses (default 1)")
    namespace = _parse(parser, options, args)
    if isinstance(namespace, int):
        return namespace
    from ecsimg.domain.errors import ApiError
    from ecsimg.service import market as market_service

    ctx = context(options)
    try:
        body: Any = market_service.buy(
            ctx, namespace.image_id, namespace.region_id or ctx.region_id, namespace.amount)
    except ApiError as err:
        return _api_error(err, ctx)
    print_json(body)
    return EXIT_OK
