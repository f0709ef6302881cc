"""Opening a catalogue and building the caller's Context: shared by the CLI and the TUI."""

from __future__ import annotations

import os

from ecsimg import locations
from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.models import Profile, Settings
from ecsimg.service.context import Context, pace_from_env
from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository

SETTINGS_KEY = "settings"
DEFAULT_TASK_SECONDS_PER_GIB = Settings().task_seconds_per_gib


class UnknownProfile(Exception):
    """A profile name the catalogue does not hold: a usage error naming the known ones."""

    def __init__(self, name: str, known: list[str], source: str) -> None:
        listed = ", ".join(known) if known else "none"
        super().__init__(f"unknown profile {name!r} (from {source}); profiles: {listed}")
        self.name = name
        self.known = known


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


def profile_names(repo: TinyRepository) -> list[str]:
    with repo.read() as view:
        return sorted(p.name for p in view.all(tables.PROFILES))


def current_profile_name(repo: TinyRepository) -> str:
    """The profile stored in the catalogue's settings (``profile use`` changes it)."""
    with repo.read() as view:
        settings = view.get(tables.SETTINGS, SETTINGS_KEY)
    return settings.current_profile if settings is not None else Settings().current_profile


def requested_profile(explicit: str | None) -> tuple[str, str] | None:
    """(name, where it came from) from ``--profile`` or ECSIMG_PROFILE, or None."""
    if explicit:
        return explicit, "--profile"
    from_env = os.environ.get(locations.PROFILE_ENV, "")
    if from_env:
        return from_env, locations.PROFILE_ENV
    return None


def choose_profile(repo: TinyRepository, explicit: str | None = None) -> Profile:
    """``--profile``, else ECSIMG_PROFILE, else the catalogue's current profile."""
    requested = requested_profile(explicit)
    name, source = requested or (current_profile_name(repo), "the catalogue's settings")
    with repo.read() as view:
        found = view.get(tables.PROFILES, name)
    if found is None:
        raise UnknownProfile(name, profile_names(repo), source)
    return found


def use_profile(repo: TinyRepository, name: str) -> Profile:
    """Store ``name`` as the catalogue's current profile."""
    import dataclasses

    with repo.transaction() as tx:
        found = tx.get(tables.PROFILES, name)
        if found is None:
            known = sorted(p.name for p in tx.all(tables.PROFILES))
            raise UnknownProfile(name, known, "the command line")
        settings = tx.get(tables.SETTINGS, SETTINGS_KEY) or Settings()
        if settings.current_profile != name:
            tx.put(tables.SETTINGS, dataclasses.replace(settings, current_profile=name))
    return found


def make_context(
    repo: TinyRepository, profile: str | None = None, *, read_only: bool = False
) -> Context:
    """The caller's Context: chosen profile, ``--read-only``, the task pace from the environment."""
    return Context(
        repo=repo,
        profile=choose_profile(repo, profile),
        read_only=read_only,
        task_seconds_per_gib=pace_from_env(),
    )
