"""Opening a cloud account: the credential source, the endpoint, the client and the cache folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecsimg import locations
from ecsimg.cloud.client import ClientSettings, EcsClient
from ecsimg.cloud.credentials import CredentialSource, build_credential, resolve_source
from ecsimg.cloud.endpoint import Endpoint, bypass_proxy, endpoint_from, slug


@dataclass(frozen=True)
class CloudTarget:
    """Which account, through which endpoint, cached where; known before any call."""

    source: CredentialSource
    endpoint: Endpoint | None

    @property
    def cache_path(self) -> Path:
        return locations.cloud_catalogue(self.source.name, slug(self.endpoint))

    def describe(self) -> str:
        """For the header and messages: ``prod via http://127.0.0.1:8470`` or ``prod``."""
        if self.endpoint is None:
            return self.source.name
        return f"{self.source.name} via {self.endpoint.url}"


def resolve_target(name: str, endpoint_flag: str | None = None) -> CloudTarget:
    """``--cloud NAME`` and ``--endpoint`` checked, without loading the SDK or calling anyone."""
    endpoint = endpoint_from(endpoint_flag)
    return CloudTarget(resolve_source(name), endpoint)


def open_client(target: CloudTarget, settings: ClientSettings | None = None) -> EcsClient:
    """The client for ``target``; the loopback endpoint's proxy is dropped before any call."""
    settings = settings or ClientSettings()
    proxy = bypass_proxy(target.endpoint)
    credential = build_credential(
        target.source, proxy=proxy, connect_timeout_ms=int(settings.connect_timeout * 1000),
        read_timeout_ms=int(settings.read_timeout * 1000))
    return EcsClient(credential, target.source.region_id, target.endpoint, settings,
                     secrets=target.source.secrets)
