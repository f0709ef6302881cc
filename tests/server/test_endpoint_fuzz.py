"""Whatever arrives, the endpoint answers with an API error body, never a crash."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecsimg.domain.models import AccessKey
from ecsimg.server.auth import Authenticator
from ecsimg.server.endpoint import Endpoint
from ecsimg.server.wire import Incoming

KEY = AccessKey("LTAIfuzzfuzzfuzzfuzzfu", "fuzz-secret", "default")
HEADER_NAMES = st.sampled_from(["authorization", "x-acs-action", "x-acs-version", "x-acs-date",
                                "x-acs-signature-nonce", "x-acs-content-sha256",
                                "x-acs-security-token", "content-type", "host"])
TEXT = st.text(max_size=80)
reports: list[str] = []


def _door(profile: str, action: str, params: dict[str, str]) -> dict[str, Any]:
    raise AssertionError("no request without a valid signature may reach the door")


ENDPOINT = Endpoint(_door, Authenticator(lambda k: KEY if k == KEY.access_key_id else None,
                                         lambda: 1_800_000_000.0), report=reports.append)


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(["GET", "POST", "PUT", "HEAD"]),
       path=st.sampled_from(["/", "", "/x"]),
       query=st.binary(max_size=200) | st.dictionaries(TEXT, TEXT, max_size=8).map(
           lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "replace")),
       headers=st.lists(st.tuples(HEADER_NAMES, TEXT), max_size=8),
       body=st.binary(max_size=100))
def test_any_request_is_an_api_error(method: str, path: str, query: bytes,
                                     headers: list[tuple[str, str]], body: bytes) -> None:
    reply = ENDPOINT.handle(Incoming(method, path, query, tuple(headers), body))
    assert 400 <= reply.status < 500, reply
    if reply.content_type.startswith("text/xml"):
        fields = {child.tag for child in ET.fromstring(reply.body)}
    else:
        fields = set(json.loads(reply.body))
    assert fields == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert KEY.access_key_secret not in reply.body.decode()
    assert reports == []
