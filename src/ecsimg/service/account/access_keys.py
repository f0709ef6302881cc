"""The AccessKey pairs and STS triples that sign requests to ``ecsimg serve`` as a profile.

A profile's long-term pair is made the first time it is asked for and kept in the catalogue;
STS triples are minted on demand and expire. Secrets are returned to the caller only: they
never go into events or messages.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from ecsimg.domain.models import AccessKey, Profile
from ecsimg.store import tables
from ecsimg.store.repository import Repository

STS_PREFIX = "STS."
LONG_TERM_PREFIX = "LTAI"
DEFAULT_STS_SECONDS = 3600
_ALPHANUMERIC = string.ascii_letters + string.digits


class ProfileNotFound(Exception):
    """The named profile is not in the catalogue."""


@dataclass(frozen=True)
class Credentials:
    """What ``ecsimg profile keys`` prints."""

    key: AccessKey

    def as_json(self) -> dict[str, str]:
        shown = {
            "Profile": self.key.profile,
            "AccessKeyId": self.key.access_key_id,
            "AccessKeySecret": self.key.access_key_secret,
        }
        if self.key.is_sts:
            from ecsimg.domain.clock import iso

            shown["SecurityToken"] = self.key.security_token
            shown["Expiration"] = iso(self.key.expiration)
        return shown


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def existing_long_term_key(repo: Repository, profile_name: str) -> AccessKey | None:
    """The profile's AccessKey pair if one was made (ProfileNotFound for an unknown profile)."""
    with repo.read() as view:
        if view.get(tables.PROFILES, profile_name) is None:
            raise ProfileNotFound(profile_name)
        return _long_term_of(view.all(tables.ACCESS_KEYS), profile_name)


def long_term_key(repo: Repository, profile_name: str) -> AccessKey:
    """The profile's AccessKey pair, made and stored the first time it is asked for."""
    with repo.read() as view:
        found = _long_term_of(view.all(tables.ACCESS_KEYS), profile_name)
        profile = view.get(tables.PROFILES, profile_name)
    if found is not None:
        return found
    if profile is None:
        raise ProfileNotFound(profile_name)
    with repo.transaction() as tx:
        # Another process may have made it between the read and the lock.
        found = _long_term_of(tx.all(tables.ACCESS_KEYS), profile_name)
        if found is not None:
            return found
        made = AccessKey(LONG_TERM_PREFIX + _random(20), _random(30), profile_name)
        tx.put(tables.ACCESS_KEYS, made)
    return made


def mint_sts(
    repo: Repository, profile_name: str, now: float, seconds: int = DEFAULT_STS_SECONDS
) -> AccessKey:
    """A new STS triple for the profile, valid for ``seconds`` from ``now``."""
    with repo.transaction() as tx:
        if tx.get(tables.PROFILES, profile_name) is None:
            raise ProfileNotFound(profile_name)
        made = AccessKey(STS_PREFIX + _random(28), _random(44), profile_name,
                         security_token=_random(320), expiration=now + seconds)
        tx.put(tables.ACCESS_KEYS, made)
    return made


def find(repo: Repository, access_key_id: str) -> tuple[AccessKey, Profile] | None:
    """The key and the profile it signs as, or None for an unknown key (or a deleted profile)."""
    with repo.read() as view:
        key = view.get(tables.ACCESS_KEYS, access_key_id)
        if key is None:
            return None
        profile = view.get(tables.PROFILES, key.profile)
    return None if profile is None else (key, profile)


def _long_term_of(keys: list[AccessKey], profile_name: str) -> AccessKey | None:
    for key in keys:
        if key.profile == profile_name and not key.is_sts:
            return key
    return None
