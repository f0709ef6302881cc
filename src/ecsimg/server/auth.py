"""Who signed a request: the ACS3-HMAC-SHA256 header signature and the classic HMAC-SHA1 one.

The canonical forms are those of the SDKs' own signers (alibabacloud_tea_openapi's
``Utils.get_authorization`` and ``get_rpcsignature``, aliyun-python-sdk-core's
``rpc_signature_composer``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from ecsimg.domain.clock import Clock, parse_iso
from ecsimg.domain.models import AccessKey
from ecsimg.server import refusals
from ecsimg.server.wire import Envelope, Incoming, decode_pairs

ACS3 = "ACS3-HMAC-SHA256"
WINDOW_SECONDS = 15 * 60
"""How far a request's time may be from the server's, either way."""
RPC_REQUIRED = ("AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce",
                "Timestamp")
ACS3_REQUIRED_HEADERS = ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256")

KeyLookup = Callable[[str], AccessKey | None]
"""An AccessKeyId to its key record, or None when unknown."""


@dataclass(frozen=True)
class Caller:
    """The profile a verified request acts as."""

    profile: str
    access_key_id: str


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison that also takes text that is not ASCII."""
    return hmac.compare_digest(expected.encode("utf-8", "surrogateescape"),
                               given.encode("utf-8", "surrogateescape"))


def _pct(text: str) -> str:
    return quote(text, safe="~", encoding="utf-8")


class NonceBook:
    """Nonces seen within the time window, per key: a second use is a replay."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def claim(self, access_key_id: str, nonce: str, now: float) -> bool:
        """Record the nonce; False when it was used already."""
        with self._lock:
            if now >= self._next_sweep:
                self._seen = {k: t for k, t in self._seen.items() if t > now}
                self._next_sweep = now + 60
            key = (access_key_id, nonce)
            if self._seen.get(key, 0.0) > now:
                return False
            # Kept past the window on both sides, so a request that is still fresh
            # cannot be replayed.
            self._seen[key] = now + 2 * WINDOW_SECONDS
            return True


class Authenticator:
    """Checks a request's signature, time, nonce and key; raises the gateway's refusal."""

    def __init__(self, lookup: KeyLookup, clock: Clock, nonces: NonceBook | None = None) -> None:
        self._lookup = lookup
        self._clock = clock
        self._nonces = nonces or NonceBook()

    def authenticate(self, request: Incoming, params: Envelope) -> Caller:
        authorization = request.header("authorization")
        if authorization is not None:
            return self._acs3(request, authorization)
        return self._rpc(request, params)

    # -- ACS3-HMAC-SHA256 ----------------------------------------------------------------------

    def _acs3(self, request: Incoming, authorization: str) -> Caller:
        algorithm, _, rest = authorization.strip().partition(" ")
        if algorithm != ACS3:
            if algorithm.startswith("ACS3-"):
                raise refusals.signature_method(algorithm)
            raise refusals.incomplete_signature("The Authorization header is not ACS3.")
        parts: dict[str, str] = {}
        for item in rest.split(","):
            name, has_value, value = item.strip().partition("=")
            if has_value:
                parts[name] = value.strip()
        for name in ("Credential", "SignedHeaders", "Signature"):
            if not parts.get(name):
                raise refusals.incomplete_signature(f"The Authorization header has no {name}.")
        signed = parts["SignedHeaders"].split(";")
        for name in ACS3_REQUIRED_HEADERS:
            if request.header(name) is None:
                raise refusals.incomplete_signature(f"The header {name} is missing.")
            if name not in signed:
                raise refusals.incomplete_signature(f"The header {name} is not signed.")
        key = self._key(parts["Credential"])
        self._check_time(request.header("x-acs-date") or "")
        self._check_token(key, request.header("x-acs-security-token"))
        string_to_sign = acs3_string_to_sign(request, signed)
        expected = hmac.new(key.access_key_secret.encode("utf-8"),
                            string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not _same(expected, parts["Signature"].lower()):
            raise refusals.signature_does_not_match(string_to_sign)
        self._claim(key, request.header("x-acs-signature-nonce") or "")
        return Caller(key.profile, key.access_key_id)

    # -- HMAC-SHA1, signature version 1.0 ------------------------------------------------------

    def _rpc(self, request: Incoming, params: Envelope) -> Caller:
        for name in RPC_REQUIRED:
            if not params.get(name):
                raise refusals.missing_parameter(name)
        if not params.get("Signature"):
            raise refusals.incomplete_signature("The parameter Signature is missing.")
        method = params.get("SignatureMethod") or ""
        if method != "HMAC-SHA1":
            raise refusals.signature_method(method)
        version = params.get("SignatureVersion") or ""
        if version != "1.0":
            raise refusals.signature_version(version)
        key = self._key(params.get("AccessKeyId") or "")
        self._check_time(params.get("Timestamp") or "")
        self._check_token(key, params.get("SecurityToken"))
        string_to_sign = rpc_string_to_sign(request.method, params)
        expected = base64.b64encode(hmac.new(
            (key.access_key_secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"),
            hashlib.sha1).digest()).decode("ascii")
        if not _same(expected, params.get("Signature") or ""):
            raise refusals.signature_does_not_match(string_to_sign)
        self._claim(key, params.get("SignatureNonce") or "")
        return Caller(key.profile, key.access_key_id)

    # -- shared checks -------------------------------------------------------------------------

    def _key(self, access_key_id: str) -> AccessKey:
        key = self._lookup(access_key_id) if access_key_id else None
        if key is None:
            raise refusals.unknown_access_key()
        return key

    def _check_time(self, stamp: str) -> None:
        try:
            sent = parse_iso(stamp)
        except ValueError:
            raise refusals.timestamp_format() from None
        if abs(self._clock() - sent) > WINDOW_SECONDS:
            raise refusals.timestamp_expired()

    def _check_token(self, key: AccessKey, token: str | None) -> None:
        if not key.is_sts:
            if token:
                raise refusals.token_mismatch()
            return
        if not token:
            raise refusals.missing_security_token()
        if not _same(token, key.security_token):
            raise refusals.token_mismatch()
        if self._clock() >= key.expiration:
            raise refusals.token_expired()

    def _claim(self, key: AccessKey, nonce: str) -> None:
        if not self._nonces.claim(key.access_key_id, nonce, self._clock()):
            raise refusals.nonce_used()


def acs3_string_to_sign(request: Incoming, signed_headers: list[str]) -> str:
    """``ACS3-HMAC-SHA256`` and the hex SHA-256 of the canonical request, on two lines.

    The payload hash is the body's own, so a body that does not match its
    ``x-acs-content-sha256`` fails the signature like any other tampering.
    """
    query = sorted(decode_pairs(request.query))
    canonical_query = "&".join(f"{name}={_pct(value)}" for name, value in query)
    canonical_headers = "".join(
        f"{name}:{_header_value(request, name)}\n" for name in signed_headers)
    canonical_request = "\n".join([
        request.method, request.path or "/", canonical_query, canonical_headers,
        ";".join(signed_headers), hashlib.sha256(request.body).hexdigest(),
    ])
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ACS3}\n{digest}"


def _header_value(request: Incoming, name: str) -> str:
    values = sorted(value.strip() for key, value in request.headers if key == name)
    return ",".join(values)


def rpc_string_to_sign(method: str, params: Envelope) -> str:
    """``METHOD&%2F&`` and the sorted, percent-encoded parameters (query and form)."""
    signed = sorted((k, v) for k, v in params.merged.items() if k != "Signature")
    canonical = "&".join(f"{_pct(name)}={_pct(value)}" for name, value in signed)
    return f"{method}&%2F&{_pct(canonical)}"

