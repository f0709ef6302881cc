"""The commands: ``api``, ``seed``, ``load``, ``profile``, ``market`` and ``serve``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ecsimg.cli.args import UsageError, check_param_names, parse_api_args, unknown_action_message
from ecsimg.cli.globals import GlobalOptions
from ecsimg.cli.output import fail, print_error_json, print_json, print_line, table
from ecsimg.i18n import t

if TYPE_CHECKING:
    from ecsimg.domain.errors import ApiError
    from ecsimg.service.backend import Backend

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
    parser.add_argument("--cloud", default=argparse.SUPPRESS, metavar="NAME",
                        help="a real account: the aliyun CLI profile NAME, or env")
    parser.add_argument("--endpoint", default=argparse.SUPPRESS, metavar="URL",
                        help="send cloud calls to URL (an ecsimg serve, a VPC endpoint)")


def _parse(parser: _Parser, options: GlobalOptions, args: list[str]) -> argparse.Namespace | int:
    """Parsed arguments, or the exit status when argparse printed help."""
    try:
        namespace = parser.parse_args(args)
    except _ParserExit as done:
        return done.status
    for name in ("db", "profile", "read_only", "cloud", "endpoint"):
        if hasattr(namespace, name):
            setattr(options, name, getattr(namespace, name))
    return namespace


def open_backend(options: GlobalOptions, *, for_screen: bool = False) -> Backend:
    """The backend the composition root picks for these options (catalogue, profile)."""
    from ecsimg.bootstrap import UnknownProfile, cloud_requested, open_backend

    try:
        cloud = cloud_requested(options.cloud)
        if cloud is not None:
            if options.profile:
                raise UsageError("--profile names a profile of the demo catalogue; with "
                                 "--cloud NAME, NAME is the aliyun CLI profile")
            return open_backend(read_only=options.read_only, cloud=cloud,
                                endpoint=options.endpoint, for_screen=for_screen)
        return open_backend(options.db, options.profile, read_only=options.read_only)
    except UnknownProfile as err:
        raise UsageError(str(err)) from None


def _api_error(err: ApiError) -> int:
    request_id = getattr(err, "request_id", None)
    if not isinstance(request_id, str) or not request_id:
        from ecsimg.domain.ids import IdFactory

        request_id = IdFactory().request_id()
    print_error_json(err.to_dict(request_id))
    return EXIT_FAILED


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
    # ecsimg's own actions (market buy, load) have their own commands: not API actions.
    act = service.ACTIONS.get(parsed.action)
    if act is None:
        raise UsageError(unknown_action_message(parsed.action, list(service.ACTIONS)))
    if parsed.help:
        print_line(help_text.action_help(act).rstrip("\n"))
        return EXIT_OK
    check_param_names(act, parsed.params)
    backend = open_backend(options)
    try:
        body = backend.call(act.name, parsed.params)
    except service.UnknownParameter as err:
        raise UsageError(str(err)) from None
    except ApiError as err:
        return _api_error(err)
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


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 1")
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
    from ecsimg import bootstrap
    from ecsimg.domain.errors import ApiError

    try:
        seeded = bootstrap.seed(options.db, images=namespace.images,
                                random_seed=namespace.random_seed, force=namespace.force,
                                read_only=options.read_only)
    except bootstrap.CatalogueExists as err:
        raise UsageError(str(err)) from None
    except ApiError as err:
        return _api_error(err)
    print_line(t("cli.seeded", location=seeded.location, images=seeded.images,
                 profiles=seeded.profiles, seed=namespace.random_seed))
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
    from ecsimg.service.images.load import LOAD_ACTION, LoadError, load_params, read_files

    backend = open_backend(options)
    try:
        # Every file is checked (a regular file, within the limits) before the one call
        # that reads and loads them all.
        documents = read_files(namespace.files)
        result = backend.call(LOAD_ACTION, load_params(documents), documents)
    except LoadError as err:
        fail(str(err))
        return EXIT_FAILED
    except ApiError as err:
        return _api_error(err)
    added, updated, files = result["Added"], result["Updated"], result["Files"]
    loaded = added + updated
    print_line(t("cli.loaded", images=t("cli.image" if loaded == 1 else "cli.images",
                                        count=loaded),
                 files=t("cli.file" if files == 1 else "cli.files", count=files),
                 added=added, updated=updated))
    return EXIT_OK


# -- profile ----------------------------------------------------------------------------------


def profile(options: GlobalOptions, args: list[str]) -> int:
    """``profile list``, ``profile use NAME`` and ``profile keys NAME [--sts]``."""
    parser = _parser("ecsimg profile", "List the profiles, choose the current one, or print "
                     "a profile's AccessKey for `ecsimg serve`.")
    verbs = parser.add_subparsers(dest="verb", required=True,
                                  metavar="list | use NAME | keys NAME [--sts]",
                                  parser_class=_Parser)
    _verb(verbs, "list", "the profiles, the current one marked *")
    use = _verb(verbs, "use", "make NAME the current profile of this catalogue")
    use.add_argument("name", metavar="NAME")
    keys = _verb(verbs, "keys", "the AccessKey pair that signs requests to `ecsimg serve` as "
                 "NAME (made the first time), as JSON")
    keys.add_argument("name", metavar="NAME")
    keys.add_argument("--sts", action="store_true",
                      help="mint a new STS triple (AccessKeyId, AccessKeySecret, SecurityToken) "
                           "valid for one hour instead")
    namespace = _parse(parser, options, args)
    if isinstance(namespace, int):
        return namespace
    if namespace.verb == "list":
        return _profile_list(options)
    if namespace.verb == "keys":
        return _profile_keys(options, namespace.name, sts=namespace.sts)
    return _profile_use(options, namespace.name)


def _profile_keys(options: GlobalOptions, name: str, *, sts: bool) -> int:
    from ecsimg.bootstrap import UnknownProfile, profile_keys
    from ecsimg.domain.errors import ApiError

    try:
        credentials = profile_keys(options.db, name, sts=sts, read_only=options.read_only)
    except UnknownProfile as err:
        raise UsageError(str(err)) from None
    except ApiError as err:
        return _api_error(err)
    print_json(credentials.as_json())
    return EXIT_OK


def _profile_list(options: GlobalOptions) -> int:
    from ecsimg.bootstrap import UnknownProfile, open_backend

    try:
        backend = open_backend(options.db, options.profile)
        current = backend.session.profile_name
    except UnknownProfile as err:
        # The list is what helps here: shown as the first known profile sees it.
        fail(t("cli.warning", warning=err))
        if not err.known:
            raise UsageError(str(err)) from None
        backend, current = open_backend(options.db, err.known[0]), ""
    rows = [["*" if info.name == current else "", info.name, info.profile.account_id,
             info.account_name or "?", info.site or "?", info.profile.region_id,
             t("cli.yes" if info.profile.read_only else "cli.no")]
            for info in backend.profiles()]
    headers = ["", *(t(f"cli.profiles.{name}") for name in (
        "profile", "account_uid", "account_name", "site", "region", "read_only"))]
    print_line(table(headers, rows).rstrip("\n"))
    return EXIT_OK


def _profile_use(options: GlobalOptions, name: str) -> int:
    from ecsimg.bootstrap import UnknownProfile, use_profile
    from ecsimg.domain.errors import ApiError

    try:
        chosen = use_profile(options.db, name, read_only=options.read_only)
    except UnknownProfile as err:
        raise UsageError(str(err)) from None
    except ApiError as err:
        return _api_error(err)
    print_line(t("cli.current_profile", profile=chosen.name, account=chosen.account_id,
                 region=chosen.region_id,
                 read_only=t("cli.read_only") if chosen.read_only else ""))
    return EXIT_OK


# -- serve ------------------------------------------------------------------------------------


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 65535")
    return value


def serve(options: GlobalOptions, args: list[str]) -> int:
    """``serve [--host H] [--port P]``: the ECS API over HTTP until SIGINT or SIGTERM."""
    from ecsimg.cli.serve import DEFAULT_HOST, DEFAULT_PORT

    parser = _parser("ecsimg serve", "Serve the catalogue as the ECS API over HTTP, for the "
                     "official SDKs; each profile signs with the keys `ecsimg profile keys "
                     "NAME` prints. Stops on SIGINT or SIGTERM.")
    parser.add_argument("--host", default=DEFAULT_HOST, metavar="H",
                        help=f"the address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, metavar="P",
                        help=f"the port (default {DEFAULT_PORT}; 0 picks a free one)")
    faults = parser.add_argument_group(
        "faults", "for testing clients: each request draws from one generator seeded by "
        "--fault-seed; throttling and 5xx answers come before the request runs, a dropped "
        "connection after it ran (its answer is lost)")
    faults.add_argument("--fault-throttle", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests answered Throttling.User, HTTP 400 (0 to 1)")
    faults.add_argument("--fault-retry-after", type=_count, default=0, metavar="MS",
                        help="throttled answers carry x-acs-retry-after: MS milliseconds")
    faults.add_argument("--fault-5xx", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests answered ServiceUnavailable, HTTP 503")
    faults.add_argument("--fault-drop", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests whose connection is closed without an answer")
    faults.add_argument("--fault-latency", type=_count, default=0, metavar="MS",
                        help="milliseconds added before every answer")
    faults.add_argument("--fault-seed", type=_count, default=0, metavar="N",
                        help="the seed of the fault generator (default 0)")
    namespace = _parse(parser, options, args)
    if isinstance(namespace, int):
        return namespace
    from ecsimg.bootstrap import open_serving
    from ecsimg.cli.serve import serve as run_server
    from ecsimg.server.faults import FaultPlan

    plan = FaultPlan(throttle_rate=namespace.fault_throttle,
                     retry_after_ms=namespace.fault_retry_after,
                     server_error_rate=namespace.fault_5xx, drop_rate=namespace.fault_drop,
                     latency_ms=namespace.fault_latency, seed=namespace.fault_seed)
    if plan.throttle_rate + plan.server_error_rate + plan.drop_rate > 1:
        raise UsageError("serve: the fault rates add up to more than 1")
    serving = open_serving(options.db, read_only=options.read_only)
    return run_server(serving, namespace.host, namespace.port, plan)


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
    from ecsimg.service.market.purchases import BUY_ACTION

    backend = open_backend(options)
    params = {"ImageId": namespace.image_id, "Amount": str(namespace.amount)}
    if namespace.region_id:
        params["RegionId"] = namespace.region_id
    try:
        body: Any = backend.call(BUY_ACTION, params)
    except ApiError as err:
        return _api_error(err)
    print_json(body)
    return EXIT_OK
