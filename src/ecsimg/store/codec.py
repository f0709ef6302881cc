"""Dataclass <-> JSON document conversion, compact: fields at their default are left out."""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Decoder = Callable[[Any], Any]

UNIQUE_FIELDS = frozenset({
    "image_id", "image_name", "description", "creation_time", "snapshot_id", "instance_id",
    "disk_id", "task_id", "event_id", "request_id", "purchase_id", "client_token",
    "client_token_digest", "copied_from", "source_instance_id", "source_disk_id", "time",
    "snapshot_name", "disk_name", "instance_name", "private_ip", "mac_address", "shared_time",
    "import_oss_object", "purchased_time", "fingerprint", "detail", "resource_id",
})
"""Text fields that differ from record to record; every other text field is interned."""


class Codec(typing.Generic[T]):
    """Encodes and decodes one dataclass; field plans are worked out once, not per record."""

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls
        hints = typing.get_type_hints(cls)
        self._fields: list[tuple[str, Any, _Decoder | None]] = []
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = dataclasses.MISSING
            self._fields.append((f.name, default, _decoder_for(hints[f.name])))
        self._nested = [(name, dec) for name, _, dec in self._fields if dec is not None]
        self.defaults: dict[str, Any] = {
            name: default for name, default, _ in self._fields if default is not dataclasses.MISSING
        }
        self.nested: dict[str, _Decoder] = dict(self._nested)
        # A region, an OS name or an owner UID repeats across 100,000 images; one shared
        # string per value instead of one per record saves tens of megabytes.
        self._shared_names = frozenset(
            f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.name not in UNIQUE_FIELDS and _is_text(hints[f.name])
        )

    def encode(self, obj: T) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for name, default, _ in self._fields:
            value = getattr(obj, name)
            if default is not dataclasses.MISSING and value == default:
                continue
            doc[name] = _encode_value(value)
        return doc

    def decode(self, doc: dict[str, Any]) -> T:
        """Build the record from ``doc``, which it consumes (its values are replaced).

        An unknown or missing field raises TypeError. Only nested and repeated-text fields are
        touched here: the rest pass straight to the constructor, because loading 100,000
        images field by field in Python would dominate start-up.
        """
        shared = self._shared_names
        for name, value in doc.items():
            if name in shared and value.__class__ is str:
                doc[name] = _intern(value)
        for name, decoder in self._nested:
            value = doc.get(name)
            if value is not None:
                doc[name] = decoder(value)
        return self.cls(**doc)


_intern = sys.intern


def _is_text(hint: Any) -> bool:
    return hint is str or typing.get_origin(hint) is typing.Literal


def _encode_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _codec(type(value)).encode(value)
    if isinstance(value, tuple | list):
        return [_encode_value(v) for v in value]
    return value


_CODECS: dict[type, Codec[Any]] = {}


def _codec(cls: type[T]) -> Codec[T]:
    found = _CODECS.get(cls)
    if found is None:
        found = _CODECS[cls] = Codec(cls)
    return found


def codec_for(cls: type[T]) -> Codec[T]:
    """The shared codec of ``cls``."""
    return _codec(cls)


def _decoder_for(hint: Any) -> _Decoder | None:
    origin = typing.get_origin(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        inner = args[0]
        if dataclasses.is_dataclass(inner):
            item_codec: Codec[Any] = _codec(typing.cast(type, inner))
            decode_item = item_codec.decode
            return lambda value: tuple([decode_item(v) for v in value])
        return tuple
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = _codec(hint)
        return nested.decode
    return None
