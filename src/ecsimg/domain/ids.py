"""Resource identifiers in the shapes the real service uses."""

from __future__ import annotations

import random
import re
import string
import uuid

_ALPHABET = string.ascii_lowercase + string.digits
RESOURCE_ID = re.compile(r"^(m|s|i|d|t)-[a-z0-9]{20}$")
ACCOUNT_ID = re.compile(r"^[0-9]{16}$")


class IdFactory:
    """Makes IDs; seeded for deterministic demo catalogues and tests, random otherwise."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed) if seed is not None else random.SystemRandom()

    def resource(self, prefix: str) -> str:
        return prefix + "-" + "".join(self._rng.choice(_ALPHABET) for _ in range(20))

    def image(self) -> str:
        return self.resource("m")

    def snapshot(self) -> str:
        return self.resource("s")

    def instance(self) -> str:
        return self.resource("i")

    def disk(self) -> str:
        return self.resource("d")

    def task(self) -> str:
        return self.resource("t")

    def order_id(self) -> str:
        """A subscription order's number: 15 digits."""
        return str(self._rng.randrange(10**14, 10**15))

    def request_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4)).upper()


def public_image_id(os_slug: str, version: str, arch: str, size: int, date: str) -> str:
    """``<os>_<version>_<arch>_<size>G_alibase_<yyyymmdd>.vhd``, as Alibaba Cloud names them."""
    return f"{os_slug}_{version}_{arch}_{size}G_alibase_{date}.vhd"


def is_account_id(value: str) -> bool:
    return bool(ACCOUNT_ID.match(value))
