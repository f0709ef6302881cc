"""The official ECS client, sending any action by name with the flattened wire parameters.

``invoke("DescribeImages", {"RegionId": "cn-hangzhou", "PageSize": "100"})`` takes the same
parameters the simulator takes and returns the response body; failures come back as the
simulator's ``ApiError`` (real Code, Message, HTTP status, RequestId) or one of the
``ecsimg.cloud.errors`` types. The SDK packages are imported when the first client is built.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecsimg.cloud import retry
from ecsimg.cloud.client_token import with_client_token
from ecsimg.cloud.endpoint import Endpoint
from ecsimg.cloud.errors import BadResponse, CloudError, CredentialsError, Unreachable, redact
from ecsimg.cloud.sdk import load_sdk
from ecsimg.domain.errors import ApiError, DryRunOperation

API_VERSION = "2014-05-26"
STS_VERSION = "2015-04-01"
STS_ENDPOINT = "sts.aliyuncs.com"
"""Where GetCallerIdentity goes without ``--endpoint``: the account UID comes from STS."""


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts and retries of every call; the defaults suit a console on a real account."""

    connect_timeout: float = 5.0
    """Seconds to open a connection before the endpoint counts as unreachable."""
    read_timeout: float = 30.0
    """Seconds to wait for an answer (a page of 100 images can take a few)."""
    retry: retry.RetryPolicy = field(default_factory=retry.RetryPolicy)


class CloudApiError(ApiError):
    """An API error from the cloud: an ApiError, plus the wait the server asked for, if any."""

    def __init__(self, code: str, message: str, http_status: int, request_id: str,
                 retry_after: float | None = None) -> None:
        super().__init__(code, message, http_status)
        self.request_id = request_id
        self.retry_after = retry_after
        """Seconds from ``x-acs-retry-after``, when the server throttled and said how long."""


class EcsClient:
    """Calls to one account through one endpoint (or the SDK's own, per region)."""

    def __init__(self, credential: Any, default_region: str, endpoint: Endpoint | None = None,
                 settings: ClientSettings | None = None, *, secrets: tuple[str, ...] = (),
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 uniform: Callable[[], float] = random.random) -> None:
        self.credential = credential
        self.default_region = default_region
        self.endpoint = endpoint
        self.settings = settings or ClientSettings()
        self._secrets = secrets
        self.clock, self.sleep, self.uniform = clock, sleep, uniform
        """The retry schedule's time, wait and random source (tests pass their own)."""
        self._sdk_clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        """The endpoint as messages name it."""
        return self.endpoint.url if self.endpoint is not None else "the Alibaba Cloud endpoint"

    def invoke(self, action: str, params: Mapping[str, str],
               on_retry: Callable[[int, float, BaseException], None] | None = None
               ) -> dict[str, Any]:
        """The response body of ``action``, retried within the policy when that is safe.

        A ClientToken is added to actions that take one, so their retries are safe too.
        """
        sent = with_client_token(action, params)
        try:
            return retry.call_with_retry(
                lambda: self.send_once(action, sent), self.settings.retry,
                safe=retry.retry_safe(action, sent), clock=self.clock, sleep=self.sleep,
                uniform=self.uniform, on_retry=on_retry)
        except Unreachable as lost:
            if not lost.may_have_arrived or retry.is_read(action, sent):
                raise
            raise Unreachable(f"{lost}; {action} may have been applied: refresh to see",
                              lost.reason, may_have_arrived=True) from None

    def send_once(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        """One send of ``action``, its failure translated; no retry."""
        from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
        from alibabacloud_tea_util.models import RuntimeOptions

        region = params.get("RegionId") or self.default_region
        sdk = self.sdk_client(region)
        spec = Params(action=action, version=API_VERSION,
                      protocol=self.endpoint.protocol.upper() if self.endpoint else "HTTPS",
                      pathname="/", method="POST", auth_type="AK", style="RPC",
                      req_body_type="formData", body_type="json")
        try:
            reply = sdk.call_api(spec, OpenApiRequest(query=dict(params)), RuntimeOptions())
        except Exception as err:
            raise self._translate(err) from None
        body = reply.get("body") if isinstance(reply, dict) else None
        if not isinstance(body, dict):
            raise BadResponse(f"{self.where} answered {action} with JSON that is not an object")
        return body

    def caller_identity(self) -> dict[str, Any]:
        """STS GetCallerIdentity (to ``--endpoint`` when given): the account UID of the keys.

        It needs no RAM permission, so any working key can learn its own account.
        """
        from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
        from alibabacloud_tea_util.models import RuntimeOptions

        sts = self._sts_client()
        spec = Params(action="GetCallerIdentity", version=STS_VERSION,
                      protocol=self.endpoint.protocol.upper() if self.endpoint else "HTTPS",
                      pathname="/", method="POST", auth_type="AK", style="RPC",
                      req_body_type="formData", body_type="json")

        def send() -> dict[str, Any]:
            try:
                reply = sts.call_api(spec, OpenApiRequest(query={}), RuntimeOptions())
            except Exception as err:
                raise self._translate(err) from None
            body = reply.get("body") if isinstance(reply, dict) else None
            if not isinstance(body, dict) or not isinstance(body.get("AccountId"), str):
                raise BadResponse(f"{self.where} answered GetCallerIdentity without AccountId")
            return body

        return retry.call_with_retry(send, self.settings.retry, safe=True, clock=self.clock,
                                     sleep=self.sleep, uniform=self.uniform)

    def _sts_client(self) -> Any:
        load_sdk()
        from alibabacloud_tea_openapi.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        config = Config(credential=self.credential, region_id=self.default_region,
                        connect_timeout=int(self.settings.connect_timeout * 1000),
                        read_timeout=int(self.settings.read_timeout * 1000),
                        endpoint=self.endpoint.host if self.endpoint else STS_ENDPOINT)
        if self.endpoint is not None:
            config.protocol = self.endpoint.protocol
        return Client(config)

    def sdk_client(self, region_id: str) -> Any:
        """The SDK's client for ``region_id`` (its endpoint follows the region), built once."""
        with self._lock:
            found = self._sdk_clients.get(region_id)
            if found is None:
                found = self._sdk_clients[region_id] = self._build(region_id)
            return found

    def _build(self, region_id: str) -> Any:
        load_sdk()
        from alibabacloud_ecs20140526.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        config = Config(
            credential=self.credential,  # without it the SDK ignores the credential chain
            region_id=region_id,
            connect_timeout=int(self.settings.connect_timeout * 1000),
            read_timeout=int(self.settings.read_timeout * 1000),
        )
        if self.endpoint is not None:
            config.endpoint = self.endpoint.host
            config.protocol = self.endpoint.protocol
        return Client(config)

    def _translate(self, err: Exception) -> Exception:
        """The SDK's exception as ecsimg's: ApiError, Unreachable, BadResponse, CredentialsError."""
        from alibabacloud_credentials.exceptions import CredentialException
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
        from darabonba.exceptions import RetryError, UnretryableException
        from Tea.exceptions import RetryError as CredentialCallError

        if isinstance(err, AlibabaCloudException):
            return api_error(err.status_code, err.data, err.code, err.request_id,
                             getattr(err, "retry_after", None))
        inner = err.inner_exception if isinstance(err, UnretryableException) else err
        if isinstance(inner, RetryError):
            return self._network(str(inner.message), self.where)
        if isinstance(inner, CredentialCallError):
            # The credential providers' own calls (STS, the metadata service) go through Tea.
            return self._network(str(inner.message), "the credential service (STS or the ECS "
                                 "metadata service)")
        if isinstance(inner, CredentialException):
            text = redact(str(inner), self._secrets)[:300]
            return CredentialsError(f"cannot get credentials: {text}")
        if isinstance(inner, CloudError):
            return inner
        if isinstance(inner, RuntimeError) and str(inner).startswith(_NOT_JSON):
            return BadResponse(f"{self.where} answered with something other than the ECS "
                               "API's JSON (a proxy or gateway page?)")
        text = redact(str(inner), self._secrets)[:200]
        return CloudError(f"call to {self.where} failed: {type(inner).__name__}: {text}")

    def _network(self, text: str, where: str) -> Unreachable:
        lowered = text.lower()
        if "timed out" in lowered or "timeout" in lowered:
            # urllib3 says "(connect timeout=5)" or "(read timeout=30)".
            connecting = "connect timeout" in lowered
            seconds = self.settings.connect_timeout if connecting else self.settings.read_timeout
            return Unreachable(f"{where} did not answer within {seconds:g} s", "timeout",
                               may_have_arrived=not connecting)
        for marker, reason, words in _NETWORK_FAULTS:
            if marker in lowered:
                return Unreachable(f"cannot reach {where}: {words}", reason,
                                   may_have_arrived=reason == "dropped")
        return Unreachable(f"cannot reach {where}: network error", "network")


_NOT_JSON = "Failed to parse the value as json"
"""How the SDK reports a reply body that is not JSON (a RuntimeError)."""
_NETWORK_FAULTS = (
    ("refused", "refused", "connection refused"),
    ("name or service not known", "dns", "unknown host"),
    ("nodename nor servname", "dns", "unknown host"),
    ("failed to resolve", "dns", "unknown host"),
    ("temporary failure in name resolution", "dns", "unknown host"),
    ("ssl", "tls", "TLS handshake failed"),
    ("aborted", "dropped", "the connection was dropped"),
    ("reset by peer", "dropped", "the connection was dropped"),
    ("remotedisconnected", "dropped", "the connection was dropped"),
    ("unreachable", "network", "network unreachable"),
)
"""Markers in the HTTP library's message (lower-cased), the reason, and the words to print."""


def api_error(status: int | None, data: Any, code: str | None, request_id: str | None,
              retry_after_ms: int | None) -> ApiError:
    """The ApiError of an error reply, shaped as the simulator raises it."""
    body = data if isinstance(data, dict) else {}
    status = status or 400
    code_text = str(body.get("Code") or code or "")
    if not code_text or code_text == "None":
        code_text = "UnknownError"
    message = str(body.get("Message") or f"HTTP {status} with no message")
    request = str(body.get("RequestId") or request_id or "")
    if request == "None":
        request = ""
    if code_text == "DryRunOperation":
        dry = DryRunOperation()
        dry.request_id = request
        return dry
    wait = retry_after_ms / 1000 if retry_after_ms else None
    return CloudApiError(code_text, message, status, request, wait)
