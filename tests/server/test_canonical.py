"""The server's canonical forms agree with the SDKs' own signers on awkward values."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest
from alibabacloud_tea_openapi.utils import Utils
from aliyunsdkcore.auth.composer import rpc_signature_composer

from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import AccessKey
from ecsimg.server.auth import Authenticator, acs3_string_to_sign, rpc_string_to_sign
from ecsimg.server.wire import Incoming, envelope

AWKWARD = {
    "RegionId": "cn-hangzhou",
    "ImageName": "a name with spaces~and*stars/and+plus",
    "Description": "中文 描述 & = ?",
    "Tag.1.Key": "env",
    "InstanceIds": '["i-abc","i-def"]',
    "DryRun": "True",
    "Empty": "",
}
KEY = AccessKey("LTAItestkeytestkeytest", "secret-of-the-test", "default")


class _TeaRequest:
    def __init__(self, method: str, query: dict[str, str], headers: dict[str, str]) -> None:
        self.method = method
        self.pathname = "/"
        self.query = query
        self.headers = headers


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_acs3_signature_is_the_sdks(method: str) -> None:
    body = b""
    headers = {"host": "127.0.0.1:8470", "x-acs-action": "DescribeImages",
               "x-acs-version": "2014-05-26", "x-acs-date": "2027-01-15T08:00:00Z",
               "x-acs-signature-nonce": "abc123", "user-agent": "test agent  ",
               "x-acs-content-sha256": hashlib.sha256(body).hexdigest()}
    authorization = Utils.get_authorization(_TeaRequest(method, dict(AWKWARD), headers),
                                            "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"],
                                            KEY.access_key_id, KEY.access_key_secret)
    wire = Incoming(method, "/", urlencode(AWKWARD).encode(),
                    tuple((*headers.items(), ("authorization", authorization))), body)
    authenticator = Authenticator(lambda _: KEY, lambda: _epoch(headers["x-acs-date"]))
    assert authenticator.authenticate(wire, envelope(wire)).profile == "default"
    tampered = Incoming(method, "/", urlencode({**AWKWARD, "DryRun": "False"}).encode(),
                        wire.headers, body)
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert acs3_string_to_sign(tampered, signed) != acs3_string_to_sign(wire, signed)
    with pytest.raises(ApiError) as refused:
        Authenticator(lambda _: KEY, lambda: _epoch(headers["x-acs-date"])).authenticate(
            tampered, envelope(tampered))
    assert refused.value.code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rpc_signature_is_the_classic_sdks(method: str) -> None:
    url, sdk_string_to_sign = rpc_signature_composer.get_signed_url(
        {**AWKWARD, "Action": "DescribeImages", "Version": "2014-05-26"},
        KEY.access_key_id, KEY.access_key_secret, "JSON", method, {})
    wire = Incoming(method, "/", url.removeprefix("/?").encode(), ())
    params = envelope(wire)
    assert rpc_string_to_sign(method, params) == sdk_string_to_sign
    stamp = params.get("Timestamp") or ""
    authenticator = Authenticator(lambda _: KEY, lambda: _epoch(stamp))
    assert authenticator.authenticate(wire, params).access_key_id == KEY.access_key_id


def test_rpc_signature_over_a_form_body_is_the_tea_sdks() -> None:
    query = {"Action": "DescribeImages", "Version": "2014-05-26", "Format": "json",
             "Timestamp": "2027-01-15T08:00:00Z", "SignatureNonce": "n-1",
             "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
             "AccessKeyId": KEY.access_key_id}
    form = {"ImageName": AWKWARD["ImageName"], "Description": AWKWARD["Description"]}
    query["Signature"] = Utils.get_rpcsignature({**query, **form}, "POST", KEY.access_key_secret)
    wire = Incoming("POST", "/", urlencode(query).encode(),
                    (("content-type", "application/x-www-form-urlencoded"),),
                    urlencode(form).encode())
    authenticator = Authenticator(lambda _: KEY, lambda: _epoch("2027-01-15T08:00:00Z"))
    assert authenticator.authenticate(wire, envelope(wire)).profile == "default"
    assert envelope(wire).action_params() == form


def _epoch(stamp: str) -> float:
    from ecsimg.domain.clock import parse_iso

    return parse_iso(stamp)


def _rpc_wire(key: AccessKey, stamp: str, **extra: str) -> Incoming:
    query = {"Action": "DescribeRegions", "Version": "2014-05-26", "Format": "JSON",
             "Timestamp": stamp, "SignatureNonce": f"n-{stamp}-{len(extra)}",
             "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
             "AccessKeyId": key.access_key_id, **extra}
    query["Signature"] = Utils.get_rpcsignature(query, "GET", key.access_key_secret)
    return Incoming("GET", "/", urlencode(query).encode(), ())


def _refusal(authenticator: Authenticator, wire: Incoming) -> tuple[str, int]:
    with pytest.raises(ApiError) as refused:
        authenticator.authenticate(wire, envelope(wire))
    return refused.value.code, refused.value.http_status


def test_expired_sts_token_and_unreadable_time() -> None:
    sts = AccessKey("STS.testtesttest", "sts-secret", "dev", security_token="tok",
                    expiration=_epoch("2027-01-15T08:30:00Z"))
    late = Authenticator(lambda _: sts, lambda: _epoch("2027-01-15T08:31:00Z"))
    wire = _rpc_wire(sts, "2027-01-15T08:30:30Z", SecurityToken="tok")
    assert _refusal(late, wire) == ("InvalidSecurityToken.Expired", 400)
    in_time = Authenticator(lambda _: sts, lambda: _epoch("2027-01-15T08:29:00Z"))
    assert in_time.authenticate(wire, envelope(wire)).profile == "dev"
    assert _refusal(in_time, _rpc_wire(sts, "15 Jan 2027", SecurityToken="tok")) == (
        "InvalidTimeStamp.Format", 400)


def test_other_signature_methods_and_unsigned_headers() -> None:
    clock = Authenticator(lambda _: KEY, lambda: _epoch("2027-01-15T08:00:00Z"))
    sha256 = _rpc_wire(KEY, "2027-01-15T08:00:00Z", SignatureMethod="HMAC-SHA256")
    assert _refusal(clock, sha256) == ("InvalidSignatureMethod", 400)
    headers = (("x-acs-date", "2027-01-15T08:00:00Z"), ("x-acs-signature-nonce", "n"),
               ("x-acs-content-sha256", hashlib.sha256(b"").hexdigest()),
               ("authorization", f"ACS3-HMAC-SHA256 Credential={KEY.access_key_id},"
                                 "SignedHeaders=host;x-acs-date,Signature=00"))
    assert _refusal(clock, Incoming("POST", "/", b"", headers)) == ("IncompleteSignature", 400)


def test_a_signature_that_is_not_ascii_is_refused_not_a_crash() -> None:
    wire = _rpc_wire(KEY, "2027-01-15T08:00:00Z")
    forged = Incoming("GET", "/", wire.query.replace(b"Signature=", b"Signature=%E4%B8%AD"), ())
    clock = Authenticator(lambda _: KEY, lambda: _epoch("2027-01-15T08:00:00Z"))
    assert _refusal(clock, forged) == ("SignatureDoesNotMatch", 400)
