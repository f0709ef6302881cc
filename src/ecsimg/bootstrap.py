"""The composition root: picks the backend once, and administers the catalogue it opens.

The CLI and the TUI (and the server) receive a Backend from ``open_backend`` and never see
the repository; seeding a catalogue and choosing its current profile are done here because
they act on the catalogue itself, not through an account.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ecsimg import locations
from ecsimg.domain.errors import CatalogueError, read_only_refused
from ecsimg.domain.models import AccessKey, CatalogueSettings, PriceBook, Profile
from ecsimg.service.account import access_keys
from ecsimg.service.backend import Backend, UnknownProfile
from ecsimg.service.machinery.context import Context, pace_from_env
from ecsimg.service.simulator import SimulatorBackend
from ecsimg.store import tables
from ecsimg.store.repository import Repository
from ecsimg.store.tinystore import TinyRepository

__all__ = ["Backend", "CatalogueExists", "SeedSummary", "Serving", "UnknownProfile",
           "open_backend", "open_serving", "profile_keys", "seed", "use_profile"]

SETTINGS_KEY = "settings"
DEFAULT_TASK_SECONDS_PER_GIB = CatalogueSettings().task_seconds_per_gib


CLOUD_ENV = "ECSIMG_CLOUD"
"""Environment variable naming the aliyun CLI profile of a real account, like ``--cloud``."""


def cloud_requested(explicit: str | None) -> str | None:
    """``--cloud NAME``, else ECSIMG_CLOUD, else None (the demo catalogue)."""
    if explicit is not None:
        return explicit
    return os.environ.get(CLOUD_ENV)


def open_backend(db: str | None = None, profile: str | None = None, *,
                 read_only: bool = False, fill_region: bool = True,
                 cloud: str | None = None, endpoint: str | None = None,
                 for_screen: bool = False) -> Backend:
    """The backend every caller runs on, chosen here once: the real account of the aliyun
    CLI profile ``cloud`` (its cache under the data directory), else the catalogue named by
    ``db`` (created with the demo on first use) as ``profile``.

    ``for_screen`` (the TUI) has an unreachable endpoint raised from ``call`` as an
    ApiError, which every dialog shows. ``backend.for_profile(name)`` gives the same
    catalogue as another profile (what a server needs per AccessKey); UnknownProfile names
    the known ones.
    """
    if cloud is not None:
        from ecsimg.cloud.backend import open_cloud

        return open_cloud(cloud, endpoint, read_only=read_only, for_screen=for_screen,
                          price_books=cloud_price_books())
    return _simulator(open_catalogue(db), profile, read_only=read_only, fill_region=fill_region)


def cloud_price_books() -> dict[str, PriceBook]:
    """The price books the config file gives real accounts, by aliyun CLI profile name;
    ConfigError when the file cannot be used."""
    from ecsimg.config import DEFAULT_REGION, load_settings
    from ecsimg.domain.fees import USER_BOOK

    books = {}
    for name, given in load_settings().prices.items():
        snapshot = {("*" if region == DEFAULT_REGION else region): price
                    for region, price in given.snapshot_cny_per_gib_month.items()}
        books[name] = PriceBook(currency="CNY", note=f"{USER_BOOK}: {given.source}",
                                snapshot_per_gib_month=snapshot, source=given.source)
    return books


def _simulator(repo: Repository, profile: str | None, *, read_only: bool,
               fill_region: bool) -> SimulatorBackend:
    if read_only and isinstance(repo, TinyRepository):
        repo.keep_projections = False  # --read-only writes nothing in the folder, not even a cache
    ctx = make_context(repo, profile, read_only=read_only)
    return SimulatorBackend(dataclasses.replace(ctx, fill_region=fill_region))


@dataclass(frozen=True)
class Serving:
    """What ``ecsimg serve`` runs on: a backend per profile, and the keys that select one."""

    backend_for: Callable[[str], Backend]
    """The backend of a profile, one per profile, RegionId never filled in for the caller."""
    find_key: Callable[[str], AccessKey | None]
    """The AccessKey record of an AccessKeyId, or None when unknown or its profile is gone."""


def open_serving(db: str | None = None, *, read_only: bool = False) -> Serving:
    """The catalogue at ``db`` opened for the HTTP server."""
    repo = open_catalogue(db)
    root = _simulator(repo, None, read_only=read_only, fill_region=False)
    backends: dict[str, Backend] = {}
    lock = threading.Lock()

    def backend_for(profile: str) -> Backend:
        with lock:
            found = backends.get(profile)
            if found is None:
                found = backends[profile] = root.for_profile(profile)
            return found

    def find_key(access_key_id: str) -> AccessKey | None:
        hit = access_keys.find(repo, access_key_id)
        return None if hit is None else hit[0]

    return Serving(backend_for, find_key)


def profile_keys(db: str | None, profile: str, *, sts: bool,
                 read_only: bool = False) -> access_keys.Credentials:
    """The profile's long-term AccessKey pair (made the first time), or a new STS triple.

    Under ``--read-only`` a pair made earlier can still be read; making one is a change.
    """
    repo = open_catalogue(db)
    try:
        if read_only:
            existing = None if sts else access_keys.existing_long_term_key(repo, profile)
            if existing is None:
                raise read_only_refused("--read-only", "profile keys")
            key = existing
        else:
            key = (access_keys.mint_sts(repo, profile, time.time()) if sts
                   else access_keys.long_term_key(repo, profile))
    except access_keys.ProfileNotFound:
        raise UnknownProfile(profile, profile_names(repo), "the command line") from None
    return access_keys.Credentials(key)


class CatalogueExists(Exception):
    """``seed`` without ``force`` on a folder that already holds a catalogue."""


@dataclass(frozen=True)
class SeedSummary:
    location: str
    images: int
    profiles: int


def open_repository(db: str | None = None) -> TinyRepository:
    """The catalogue named by ``--db``/ECSIMG_DB/the default, not yet created or checked."""
    return TinyRepository(locations.catalogue_path(db))


def seed_demo(repo: TinyRepository, *, images: int | None = None, random_seed: int = 0,
              replace: bool = False) -> None:
    """Fill an empty catalogue with the demo catalogue (``replace``: replace an existing one).

    ECSIMG_TASK_SECONDS_PER_GIB, when set, also paces the demo's unfinished tasks, so that
    with 0 the same seed gives the same catalogue whenever it is built.
    """
    from ecsimg.store.demo.seed import seed_catalogue

    pace = pace_from_env()
    seed_catalogue(repo, images=images, random_seed=random_seed,
                   task_seconds_per_gib=DEFAULT_TASK_SECONDS_PER_GIB if pace is None else pace,
                   replace=replace)


def open_catalogue(db: str | None = None) -> TinyRepository:
    """Open the catalogue, creating it with the demo catalogue on first use.

    A folder that exists but is not a catalogue is refused (CatalogueError), never filled.
    """
    repo = open_repository(db)
    if repo.is_empty():
        try:
            seed_demo(repo)
        except CatalogueError:
            # Another process created it between the check and the seeding: use theirs.
            if repo.is_empty():
                raise
    return repo


def profile_names(repo: Repository) -> list[str]:
    with repo.read() as view:
        return sorted(p.name for p in view.all(tables.PROFILES))


def current_profile_name(repo: Repository) -> str:
    """The profile stored in the catalogue's settings (``profile use`` changes it)."""
    with repo.read() as view:
        settings = view.get(tables.SETTINGS, SETTINGS_KEY)
    return settings.current_profile if settings is not None else CatalogueSettings().current_profile


def requested_profile(explicit: str | None) -> tuple[str, str] | None:
    """(name, where it came from) from ``--profile`` or ECSIMG_PROFILE, or None."""
    if explicit:
        return explicit, "--profile"
    from_env = os.environ.get(locations.PROFILE_ENV, "")
    if from_env:
        return from_env, locations.PROFILE_ENV
    return None


def choose_profile(repo: Repository, explicit: str | None = None) -> Profile:
    """``--profile``, else ECSIMG_PROFILE, else the catalogue's current profile."""
    requested = requested_profile(explicit)
    name, source = requested or (current_profile_name(repo), "the catalogue's settings")
    with repo.read() as view:
        found = view.get(tables.PROFILES, name)
    if found is None:
        raise UnknownProfile(name, profile_names(repo), source)
    return found


def seed(db: str | None, *, images: int | None = None, random_seed: int = 0,
         force: bool = False, read_only: bool = False) -> SeedSummary:
    """Build the demo catalogue at ``db``; an existing one is replaced only with ``force``.

    Raises CatalogueExists without ``force``, Forbidden.ReadOnly with ``read_only``.
    """
    repo = open_repository(db)
    replace = not repo.is_empty()
    if replace:
        if not force:
            raise CatalogueExists(f"{repo.location} already holds a catalogue; add --force to "
                                  "replace it (its contents are lost)")
        if read_only:
            raise read_only_refused("--read-only", "seed --force")
    elif read_only:
        raise read_only_refused("--read-only", "seed")
    # Built aside and swapped in: a foreign folder is refused, an interrupted seed leaves the
    # old catalogue.
    seed_demo(repo, images=images, random_seed=random_seed, replace=replace)
    with repo.read() as view:
        return SeedSummary(str(repo.location), len(view.all(tables.IMAGES)),
                           len(view.all(tables.PROFILES)))


def use_profile(db: str | None, name: str, *, read_only: bool = False) -> Profile:
    """Store ``name`` as the current profile of the catalogue at ``db``."""
    repo = open_catalogue(db)
    if read_only:
        raise read_only_refused("--read-only", "profile use")
    with repo.transaction() as tx:
        found = tx.get(tables.PROFILES, name)
        if found is None:
            known = sorted(p.name for p in tx.all(tables.PROFILES))
            raise UnknownProfile(name, known, "the command line")
        settings = tx.get(tables.SETTINGS, SETTINGS_KEY) or CatalogueSettings()
        if settings.current_profile != name:
            tx.put(tables.SETTINGS, dataclasses.replace(settings, current_profile=name))
    return found


def make_context(
    repo: Repository, profile: str | None = None, *, read_only: bool = False
) -> Context:
    """The caller's Context: chosen profile, ``--read-only``, the task pace from the environment."""
    return Context(
        repo=repo,
        profile=choose_profile(repo, profile),
        read_only=read_only,
        task_seconds_per_gib=pace_from_env(),
    )
