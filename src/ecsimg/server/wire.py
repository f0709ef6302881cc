"""An HTTP request as the ECS endpoint reads it: method, query, form body, headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

FORM_TYPE = "application/x-www-form-urlencoded"

PROTOCOL_PARAMS = frozenset({
    "Action", "Version", "Format", "AccessKeyId", "Timestamp", "SignatureMethod",
    "SignatureVersion", "SignatureNonce", "Signature", "SignatureType", "SecurityToken",
})
"""Parameters of the request envelope, never passed to the action."""


@dataclass(frozen=True)
class Incoming:
    """One HTTP request, as received."""

    method: str
    path: str
    query: bytes
    headers: tuple[tuple[str, str], ...]
    """Lower-cased names, in the order received; a name may repeat."""
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The header's value (repeated headers joined with ``,``), or None if absent."""
        values = [value for key, value in self.headers if key == name]
        return ",".join(values) if values else None


@dataclass
class Envelope:
    """The request's parameters: query and form decoded, protocol and action ones apart."""

    query_pairs: list[tuple[str, str]]
    form_pairs: list[tuple[str, str]]
    merged: dict[str, str] = field(default_factory=dict)
    """Query then form, a later value of a name replacing an earlier one."""

    def get(self, name: str) -> str | None:
        return self.merged.get(name)

    def action_params(self) -> dict[str, str]:
        return {k: v for k, v in self.merged.items() if k not in PROTOCOL_PARAMS}


def decode_pairs(raw: bytes) -> list[tuple[str, str]]:
    # ``+`` is a space, as in the form encoding the SDKs use; bad UTF-8 is kept visible.
    return parse_qsl(raw.decode("utf-8", "surrogateescape"), keep_blank_values=True,
                     encoding="utf-8", errors="replace")


def envelope(request: Incoming) -> Envelope:
    """The query string and, for a form body, its fields."""
    query_pairs = decode_pairs(request.query)
    content_type = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    form_pairs = decode_pairs(request.body) if request.body and content_type == FORM_TYPE else []
    merged: dict[str, str] = {}
    for name, value in (*query_pairs, *form_pairs):
        merged[name] = value
    return Envelope(query_pairs, form_pairs, merged)
