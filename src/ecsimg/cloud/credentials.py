"""Credentials as the ecosystem keeps them: aliyun CLI profiles, or the SDK's default chain.

The aliyun CLI's ``~/.aliyun/config.json`` is read and checked the way the CLI checks it
(config/profile.go, ``Validate``); the credential object for the SDK is built with
``alibabacloud_credentials``' own providers, which call STS or the ECS metadata service
themselves. Secrets live only in the profile's secret fields, which no repr or message shows.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecsimg.cloud.errors import CredentialsError

ENV_SOURCE = "env"
"""``--cloud env``: the default credential chain of ``alibabacloud_credentials``."""
PROFILE_ENV_NAMES = ("ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
"""Variables the aliyun CLI reads for the profile name when none is given (in this order)."""
REGION_ENV_NAMES = ("ALIBABA_CLOUD_REGION_ID", "ALIBABACLOUD_REGION_ID", "ALICLOUD_REGION_ID")
DEFAULT_REGION = "cn-hangzhou"
"""The region of ``--cloud env`` when the environment names none (the SDK's own default)."""
SUPPORTED_MODES = ("AK", "StsToken", "RamRoleArn", "EcsRamRole")
CLI_MODES = (
    *SUPPORTED_MODES, "RsaKeyPair", "RamRoleArnWithRoleName", "ChainableRamRoleArn", "External",
    "CredentialsURI", "OIDC", "CloudSSO", "OAuth", "BearerToken", "Anonymous",
)
"""Every mode the aliyun CLI knows; the ones ecsimg does not support get their own message."""
_REQUIRED_FIELDS = {
    "AK": ("access_key_id", "access_key_secret"),
    "StsToken": ("access_key_id", "access_key_secret", "sts_token"),
    "RamRoleArn": ("access_key_id", "access_key_secret", "ram_role_arn", "ram_session_name"),
    "EcsRamRole": (),
}
_TEXT_FIELDS = (
    "name", "mode", "region_id", "access_key_id", "access_key_secret", "sts_token",
    "ram_role_arn", "ram_session_name", "ram_role_name", "external_id", "sts_region",
    "sts_endpoint",
)
_REGION = re.compile(r"[A-Za-z0-9-]+\Z")
"""The CLI's own region check (IsRegion), without its acceptance of an empty name."""
MIN_ROLE_SECONDS = 900
_ROLE_ARN = re.compile(r"acs:ram::(\d{16}):role/", re.IGNORECASE)


def cli_config_path() -> Path:
    """``$HOME/.aliyun/config.json``: the file the aliyun CLI and the credentials library read."""
    return Path.home() / ".aliyun" / "config.json"


@dataclass(frozen=True)
class CliProfile:
    """One profile of the aliyun CLI's config.json, checked; its secrets never in its repr."""

    name: str
    mode: str
    region_id: str
    source: Path
    access_key_id: str = ""
    access_key_secret: str = field(default="", repr=False)
    sts_token: str = field(default="", repr=False)
    ram_role_arn: str = ""
    ram_session_name: str = ""
    ram_role_name: str = ""
    external_id: str = field(default="", repr=False)
    sts_region: str = ""
    sts_endpoint: str = ""
    expired_seconds: int = 0

    @property
    def role_account_id(self) -> str:
        """The account a RamRoleArn profile works in, read from its ARN; else empty.

        ``acs:ram::<uid>:role/<name>``: the role lives in the account it gives access to, so
        the cache knows its account before any call. Other modes learn it by syncing.
        """
        found = _ROLE_ARN.match(self.ram_role_arn) if self.mode == "RamRoleArn" else None
        return found.group(1) if found else ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values no message may show, for redacting foreign text."""
        return tuple(s for s in (self.access_key_secret, self.sts_token, self.external_id) if s)

    def describe(self) -> str:
        return f"profile {self.name!r} in {self.source}"


@dataclass(frozen=True)
class CredentialSource:
    """Where a cloud session's credentials come from: a CLI profile, or the default chain."""

    name: str
    """The profile's name, or ``env`` for the default chain; part of the cache folder's name."""
    region_id: str
    """The default region: the profile's ``region_id``, or the environment's for the chain."""
    profile: CliProfile | None = None

    def describe(self) -> str:
        if self.profile is None:
            return "the default credential chain (--cloud env)"
        return self.profile.describe()

    @property
    def secrets(self) -> tuple[str, ...]:
        return self.profile.secrets if self.profile is not None else _env_secrets()


def resolve_source(name: str, config_path: Path | None = None) -> CredentialSource:
    """``env`` gives the default chain; any other name (empty: the current one) a CLI profile."""
    if name == ENV_SOURCE:
        region = next((os.environ[v] for v in REGION_ENV_NAMES if os.environ.get(v)), "")
        return CredentialSource(ENV_SOURCE, region or DEFAULT_REGION)
    profile = load_cli_profile(name, config_path)
    return CredentialSource(profile.name, profile.region_id, profile)


def load_cli_profile(name: str = "", path: Path | None = None) -> CliProfile:
    """The checked profile ``name`` (empty: the CLI's env variable, else ``current``)."""
    path = path or cli_config_path()
    document = _read_config(path)
    profiles = document.get("profiles", [])
    if not isinstance(profiles, list) or not all(isinstance(p, dict) for p in profiles):
        raise CredentialsError(f"{path}: 'profiles' is not a list of objects; "
                               "not an aliyun CLI configuration")
    if not name:
        name = next((os.environ[v] for v in PROFILE_ENV_NAMES if os.environ.get(v)), "")
    if not name:
        current = document.get("current", "")
        name = current if isinstance(current, str) else ""
    if not name:
        raise CredentialsError(f"{path}: no current profile; name one (--cloud NAME)")
    found = next((p for p in profiles if p.get("name") == name), None)
    if found is None:
        known = ", ".join(sorted(str(p.get("name", "")) for p in profiles)) or "none"
        raise CredentialsError(f"{path}: no profile {name!r}; profiles: {known}")
    return _checked(found, name, path)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CredentialsError(f"{path}: no aliyun CLI configuration "
                               "(create one with `aliyun configure`)") from None
    except OSError as err:
        raise CredentialsError(f"{path}: cannot read ({err.strerror or type(err).__name__})"
                               ) from None
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        # Only the position: the decoder's message never quotes the file, but keep it that way.
        where = (f"line {err.lineno} column {err.colno}" if isinstance(err, json.JSONDecodeError)
                 else "not UTF-8")
        raise CredentialsError(f"{path}: not valid JSON ({where})") from None
    if not isinstance(document, dict):
        raise CredentialsError(f"{path}: not an aliyun CLI configuration (not a JSON object)")
    return document


def _checked(raw: dict[str, Any], name: str, path: Path) -> CliProfile:
    where = f"{path}: profile {name!r}"
    values: dict[str, str] = {}
    for key in _TEXT_FIELDS:
        value = raw.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise CredentialsError(f"{where}: field {key!r} is not a string")
        values[key] = value.strip()
    seconds = raw.get("expired_seconds") or 0
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise CredentialsError(f"{where}: field 'expired_seconds' is not a whole number")
    mode = _mode(values["mode"], where, name)
    region = values["region_id"]
    if not region:
        raise CredentialsError(f"{where} has no region_id; run `aliyun configure --profile "
                               f"{name}`")
    if not _REGION.match(region):
        raise CredentialsError(f"{where}: region_id {region[:40]!r} is not a region name")
    for key in _REQUIRED_FIELDS[mode]:
        if not values[key]:
            raise CredentialsError(f"{where} (mode {mode}) has no {key}; run `aliyun configure "
                                   f"--profile {name} --mode {mode}`")
    if mode == "RamRoleArn" and 0 < seconds < MIN_ROLE_SECONDS:
        raise CredentialsError(f"{where}: expired_seconds {seconds} is below the "
                               f"{MIN_ROLE_SECONDS} s that STS accepts")
    del values["name"], values["mode"], values["region_id"]
    return CliProfile(name=name, mode=mode, region_id=region, source=path,
                      expired_seconds=seconds, **values)


def _mode(text: str, where: str, name: str) -> str:
    if not text:
        raise CredentialsError(f"{where} is not configured yet (no mode); run `aliyun configure "
                               f"--profile {name}`")
    # The CLI matches modes without regard to case (NormalizeMode).
    mode = next((m for m in CLI_MODES if m.lower() == text.lower()), "")
    if not mode:
        raise CredentialsError(f"{where}: mode {text[:40]!r} is not an aliyun CLI mode")
    if mode not in SUPPORTED_MODES:
        raise CredentialsError(f"{where} uses mode {mode}, which ecsimg does not support "
                               f"(supported: {', '.join(SUPPORTED_MODES)})")
    return mode


def _env_secrets() -> tuple[str, ...]:
    names = ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN")
    return tuple(os.environ[n] for n in names if os.environ.get(n))


def build_credential(source: CredentialSource, *, proxy: str | None = None,
                     connect_timeout_ms: int = 5000, read_timeout_ms: int = 10000) -> Any:
    """The ``alibabacloud_credentials`` Client for ``source``, to pass as ``Config(credential=)``.

    Imported here, not at the top: the chain reads the environment when its package is
    imported, so it must be imported after the environment is final (and only in cloud mode).
    """
    from ecsimg.cloud.sdk import load_sdk

    load_sdk()
    from alibabacloud_credentials.client import Client as CredentialClient

    profile = source.profile
    if profile is None:
        return CredentialClient()
    try:
        provider = _provider(profile, proxy, connect_timeout_ms, read_timeout_ms)
    except ValueError as err:
        # The providers refuse some settings with ValueError (the metadata service disabled, a
        # short session): their messages name settings, never values.
        raise CredentialsError(f"{profile.describe()}: {err}") from None
    return CredentialClient(provider=provider)


def _provider(profile: CliProfile, proxy: str | None, connect_timeout_ms: int,
              read_timeout_ms: int) -> Any:
    from alibabacloud_credentials.http import HttpOptions
    from alibabacloud_credentials.provider import (
        EcsRamRoleCredentialsProvider,
        RamRoleArnCredentialsProvider,
        StaticAKCredentialsProvider,
        StaticSTSCredentialsProvider,
    )

    keys = {"access_key_id": profile.access_key_id,
            "access_key_secret": profile.access_key_secret}
    options = HttpOptions(proxy=proxy, connect_timeout=connect_timeout_ms,
                          read_timeout=read_timeout_ms)
    if profile.mode == "AK":
        return StaticAKCredentialsProvider(**keys)
    if profile.mode == "StsToken":
        return StaticSTSCredentialsProvider(**keys, security_token=profile.sts_token)
    if profile.mode == "RamRoleArn":
        # As the CLI does: a profile's sts_token, when present, signs the AssumeRole call.
        first = (StaticSTSCredentialsProvider(**keys, security_token=profile.sts_token)
                 if profile.sts_token else StaticAKCredentialsProvider(**keys))
        return RamRoleArnCredentialsProvider(
            credentials_provider=first,
            role_arn=profile.ram_role_arn,
            role_session_name=profile.ram_session_name,
            duration_seconds=profile.expired_seconds or 3600,
            external_id=profile.external_id or None,
            sts_region_id=profile.sts_region or None,
            sts_endpoint=_host(profile.sts_endpoint) or None,
            http_options=options,
        )
    # EcsRamRole: without a role name the provider asks the metadata service for it. The
    # background refresher is off: a console has no use for a scheduler thread.
    return EcsRamRoleCredentialsProvider(role_name=profile.ram_role_name or None,
                                         http_options=options, async_update_enabled=False)


def _host(endpoint: str) -> str:
    """An STS endpoint as the CLI stores it, reduced to a host (normalizeSTSEndpointHost)."""
    for prefix in ("https://", "http://"):
        endpoint = endpoint.removeprefix(prefix)
    return endpoint.rstrip("/")
