"""Where calls go: the SDK's own endpoint for each region, or one ``--endpoint URL`` for all."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ecsimg.cloud.errors import EndpointError

ENDPOINT_ENV = "ECSIMG_ENDPOINT"
"""Environment variable naming the endpoint, like ``--endpoint``."""
DEFAULT_SLUG = "aliyun"
"""The cache folder's endpoint part when calls go to the SDK's own endpoints."""
_PROXY_VARIABLES = {"http": ("HTTP_PROXY", "http_proxy"), "https": ("HTTPS_PROXY", "https_proxy")}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Endpoint:
    """An endpoint override: ``http://127.0.0.1:8470`` is host ``127.0.0.1:8470``, protocol http."""

    protocol: str
    hostname: str
    port: int | None

    @property
    def host(self) -> str:
        """What the SDK's ``Config.endpoint`` takes: host and port, no scheme."""
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{name}:{self.port}" if self.port is not None else name

    @property
    def url(self) -> str:
        return f"{self.protocol}://{self.host}"

    @property
    def slug(self) -> str:
        """The endpoint as a file-name part: ``127.0.0.1-8470``."""
        return _UNSAFE.sub("-", self.host.replace(":", "-")).strip("-.") or "endpoint"

    @property
    def is_loopback(self) -> bool:
        if self.hostname.lower() == "localhost" or self.hostname.lower().endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(self.hostname).is_loopback
        except ValueError:
            return False

    def bypasses_proxy(self) -> bool:
        """True for a loopback endpoint, or one NO_PROXY names: the SDK would proxy it anyway."""
        if self.is_loopback:
            return True
        import urllib.request  # lazily: it costs ~0.1 s, and only a client needs it

        # The standard library's reading of NO_PROXY (not in typeshed, hence getattr).
        no_proxy_match = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009
        return bool(no_proxy_match(self.hostname))


def parse_endpoint(text: str, source: str = "--endpoint") -> Endpoint:
    """``http://host:port`` or ``https://host[:port]``; a bare ``host[:port]`` means https."""
    text = text.strip()
    bare = "://" not in text
    try:
        parts = urlsplit(f"https://{text}" if bare else text)
        port = parts.port
    except ValueError as err:
        raise EndpointError(f"{source} {text[:80]!r} is not a URL ({err})") from None
    if parts.scheme not in ("http", "https"):
        raise EndpointError(f"{source} {text[:80]!r}: the scheme must be http or https")
    if not parts.hostname:
        raise EndpointError(f"{source} {text[:80]!r} names no host")
    if parts.username or parts.password:
        raise EndpointError(f"{source}: an endpoint URL cannot carry a user or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise EndpointError(f"{source} {text[:80]!r}: give scheme, host and port only "
                            "(the ECS API is always at /)")
    return Endpoint(parts.scheme, parts.hostname, port)


def endpoint_from(flag: str | None) -> Endpoint | None:
    """``--endpoint``, else ECSIMG_ENDPOINT, else None (the SDK's own endpoints)."""
    if flag:
        return parse_endpoint(flag)
    from_env = os.environ.get(ENDPOINT_ENV, "").strip()
    return parse_endpoint(from_env, ENDPOINT_ENV) if from_env else None


def slug(endpoint: Endpoint | None) -> str:
    return endpoint.slug if endpoint is not None else DEFAULT_SLUG


def bypass_proxy(endpoint: Endpoint | None) -> str | None:
    """Stop the SDK proxying calls to ``endpoint``; return the proxy it would have used.

    The SDK sends every call through HTTP(S)_PROXY when set, whatever NO_PROXY or its own
    ``no_proxy``/``http_proxy=''`` settings say, so the one way to reach a loopback endpoint
    directly is to drop the variables for its scheme from this process's environment. The
    credential providers, which may still need the proxy for STS, are given it explicitly.
    """
    if endpoint is None or not endpoint.bypasses_proxy():
        return None
    removed = [os.environ.pop(name, "") for name in _PROXY_VARIABLES[endpoint.protocol]]
    return next((value for value in removed if value), None)
