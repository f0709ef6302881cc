"""Ids look as the API's do."""

from __future__ import annotations

import random
import uuid

from ecsimg.domain.ids import IdFactory


def test_request_ids_are_the_version_4_uuids_uuid_would_make_from_the_same_bits() -> None:
    ids = IdFactory(7)
    bits = random.Random(7)
    for _ in range(200):
        expected = str(uuid.UUID(int=bits.getrandbits(128), version=4)).upper()
        assert ids.request_id() == expected
