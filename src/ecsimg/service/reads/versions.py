"""Fingerprints of image records, so a dialog can tell that another session changed them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ecsimg.domain.models import Image
from ecsimg.service.machinery.context import Context
from ecsimg.store import tables

Fingerprint = tuple[Any, ...]
"""Every field of an image record, in declaration order; None for a missing image."""

_FIELD_NAMES = tuple(field.name for field in dataclasses.fields(Image))


def fingerprint(image: Image | None) -> Fingerprint | None:
    """The record's field values; read by attribute, so a lazy stand-in gives the same."""
    if image is None:
        return None
    return tuple(getattr(image, name) for name in _FIELD_NAMES)


def read(ctx: Context, keys: list[str]) -> dict[str, Fingerprint | None]:
    """The stored fingerprints of the images at ``keys`` (``region/image_id``), after
    picking up other processes' commits."""
    ctx.repo.refresh()
    with ctx.repo.read() as view:
        return {key: fingerprint(view.get(tables.IMAGES, key)) for key in keys}


def changed_fields(before: Fingerprint | None, after: Fingerprint | None) -> list[str]:
    """What differs between two fingerprints, as readable field names."""
    if before == after:
        return []
    if after is None:
        return ["deleted"]
    if before is None:
        return ["created"]
    return [name.replace("_", " ") for name, old, new in zip(_FIELD_NAMES, before, after,
                                                              strict=True) if old != new]


def changes(recorded: Mapping[str, Fingerprint | None],
            now: Mapping[str, Fingerprint | None]) -> dict[str, list[str]]:
    """The images of ``recorded`` whose fingerprint differs in ``now``, with what differs."""
    found = {key: changed_fields(before, now[key]) for key, before in recorded.items()}
    return {key: fields for key, fields in found.items() if fields}
