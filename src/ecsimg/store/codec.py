"""Dataclass <-> JSON document conversion, compact: fields at their default are left out."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Decoder = Callable[[Any], Any]


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

    def encode(self, obj: T) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for name, default, _ in self._fields:
            value = getattr(obj, name)
            if default is not dataclasses.MISSING and value == default:
                continue
            doc[name] = _encode_value(value)
        return doc

    def decode(self, doc: dict[str, Any]) -> T:
        """Build the record; an unknown or missing field raises TypeError.

        Only nested fields are converted: the rest pass straight to the constructor, because
        loading 100,000 images field by field in Python would dominate start-up.
        """
        kwargs = dict(doc)
        for name, decoder in self._nested:
            if name in kwargs:
                kwargs[name] = decoder(kwargs[name])
        return self.cls(**kwargs)


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
            return lambda value: tuple(item_codec.decode(v) for v in value)
        return tuple
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = _codec(hint)
        return nested.decode
    return None
