"""Both signature styles, STS, and the gateway's refusals, as the SDKs see them."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from alibabacloud_ecs20140526 import models as sdk
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils import Utils
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.composer import rpc_signature_composer
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkcore.utils import parameter_helper

from tests.server.harness import Keys, Served, classic_client, profile_keys, typed_client

HZ = "cn-hangzhou"
ERROR_FIELDS = {"RequestId", "HostId", "Code", "Message", "Recommend"}


def common(action: str, method: str = "POST", version: str = "2014-05-26",
           **params: str) -> CommonRequest:
    request = CommonRequest(domain="127.0.0.1", version=version, action_name=action)
    request.set_protocol_type("http")
    request.set_method(method)
    for name, value in params.items():
        request.add_query_param(name, value)
    return request


def sdk_error(call: Any) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


def classic_error(client: AcsClient, request: CommonRequest) -> ServerException:
    with pytest.raises(ServerException) as raised:
        client.do_action_with_exception(request)
    return raised.value


def raw(served: Served, query: str = "", *, method: str = "GET", body: bytes = b"",
        headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One request without an SDK: (status, body)."""
    request = urllib.request.Request(f"{served.url}?{query}", data=body or None, method=method,
                                     headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def signed_query(keys: Keys, params: dict[str, str], *, method: str = "GET",
                 fmt: str = "JSON") -> str:
    """The query aliyun-python-sdk-core's own signer makes for ``params``."""
    url, _ = rpc_signature_composer.get_signed_url(dict(params), keys.access_key_id,
                                                   keys.secret, fmt, method, {})
    return str(url).removeprefix("/?")


# -- both styles work ----------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_typed_sdk_signs_with_either_algorithm(served: Served, default_keys: Keys,
                                               algorithm: str | None) -> None:
    client = typed_client(served, default_keys, signature_algorithm=algorithm)
    body = client.describe_images(sdk.DescribeImagesRequest(region_id=HZ, page_size=3)).body
    assert len(body.images.image) == 3 and body.total_count > 3


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_classic_sdk_in_the_query(served: Served, default_keys: Keys, method: str) -> None:
    client = classic_client(served, default_keys)
    reply = json.loads(client.do_action_with_exception(
        common("DescribeImages", method, RegionId=HZ, PageSize="2")))
    assert len(reply["Images"]["Image"]) == 2


def test_classic_sdk_with_a_form_body(served: Served, default_keys: Keys) -> None:
    client = classic_client(served, default_keys)
    request = common("DescribeImages", "POST")
    request.add_body_params("RegionId", HZ)
    request.add_body_params("ImageOwnerAlias", "self")
    request.add_body_params("PageSize", "1")
    reply = json.loads(client.do_action_with_exception(request))
    assert reply["Images"]["Image"][0]["ImageOwnerAlias"] == "self"


def test_classic_sdk_request_classes(served: Served, default_keys: Keys) -> None:
    from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest

    request = DescribeRegionsRequest()
    request.set_endpoint("127.0.0.1")
    request.set_protocol_type("http")
    reply = json.loads(classic_client(served, default_keys).do_action_with_exception(request))
    assert HZ in [r["RegionId"] for r in reply["Regions"]["Region"]]


def test_values_as_the_sdk_sends_them(served: Served, default_keys: Keys) -> None:
    client = typed_client(served, default_keys)
    # DryRun=True arrives as the text "True"; space as "+"; lists flattened from 1.
    error = sdk_error(lambda: client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, dry_run=True, image_name="a name with spaces")))
    assert (error.code, error.status_code) == ("DryRunOperation", 400)


# -- STS -----------------------------------------------------------------------------------


def test_sts_triple_signs_in_both_styles(served: Served) -> None:
    sts = profile_keys(served.db, "dev", sts=True)
    assert sts.access_key_id.startswith("STS.") and sts.token
    body = typed_client(served, sts).describe_images(
        sdk.DescribeImagesRequest(region_id="cn-shanghai", image_owner_alias="self")).body
    assert body.total_count >= 1
    classic = AcsClient(region_id=HZ, credential=StsTokenCredential(
        sts.access_key_id, sts.secret, sts.token), port=served.port, auto_retry=False)
    reply = json.loads(classic.do_action_with_exception(common("DescribeRegions")))
    assert reply["Regions"]["Region"]


def test_sts_key_without_or_with_a_wrong_token(served: Served) -> None:
    sts = profile_keys(served.db, "dev", sts=True)
    no_token = Keys(sts.profile, sts.access_key_id, sts.secret)
    error = sdk_error(lambda: typed_client(served, no_token).describe_regions(
        sdk.DescribeRegionsRequest()))
    assert (error.code, error.status_code) == ("MissingSecurityToken", 400)
    wrong = Keys(sts.profile, sts.access_key_id, sts.secret, "not-the-token")
    error = sdk_error(lambda: typed_client(served, wrong).describe_regions(
        sdk.DescribeRegionsRequest()))
    assert (error.code, error.status_code) == ("InvalidSecurityToken.MismatchWithAccessKey", 400)


# -- refusals ------------------------------------------------------------------------------


def test_region_is_required_over_http(served: Served, default_keys: Keys) -> None:
    client = typed_client(served, default_keys)
    error = sdk_error(lambda: client.describe_images(sdk.DescribeImagesRequest()))
    assert (error.code, error.status_code) == ("MissingParameter", 400)
    assert "RegionId" in error.message


def test_api_error_reaches_the_sdk_with_code_and_status(served: Served,
                                                        default_keys: Keys) -> None:
    client = typed_client(served, default_keys)
    error = sdk_error(lambda: client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
        region_id=HZ, image_id="m-doesnotexist0000000", description="x")))
    assert (error.code, error.status_code) == ("InvalidImageId.NotFound", 404)
    assert set(error.data) - {"statusCode"} == ERROR_FIELDS


def test_read_only_profile_stays_read_only(served: Served) -> None:
    audit = profile_keys(served.db, "audit")
    client = typed_client(served, audit)
    assert client.describe_images(sdk.DescribeImagesRequest(region_id=HZ)).body.total_count
    images = client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, image_owner_alias="self")).body.images.image
    error = sdk_error(lambda: client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
        region_id=HZ, image_id=images[0].image_id, description="no")))
    assert (error.code, error.status_code) == ("Forbidden.ReadOnly", 403)
    classic = classic_client(served, audit)
    refused = classic_error(classic, common("DeleteImage", RegionId=HZ,
                                            ImageId=images[0].image_id))
    assert (refused.get_error_code(), refused.get_http_status()) == ("Forbidden.ReadOnly", 403)


def test_wrong_secret(served: Served, default_keys: Keys) -> None:
    wrong = Keys("default", default_keys.access_key_id, "not-the-secret")
    error = sdk_error(lambda: typed_client(served, wrong).describe_regions(
        sdk.DescribeRegionsRequest()))
    assert (error.code, error.status_code) == ("SignatureDoesNotMatch", 400)
    refused = classic_error(classic_client(served, wrong), common("DescribeRegions"))
    assert (refused.get_error_code(), refused.get_http_status()) == ("SignatureDoesNotMatch", 400)
    assert default_keys.secret not in served.stderr()


def test_unknown_key(served: Served) -> None:
    stranger = Keys("nobody", "LTAIunknownunknownunkn", "secret")
    error = sdk_error(lambda: typed_client(served, stranger).describe_regions(
        sdk.DescribeRegionsRequest()))
    assert (error.code, error.status_code) == ("InvalidAccessKeyId.NotFound", 404)
    refused = classic_error(classic_client(served, stranger), common("DescribeRegions"))
    assert refused.get_error_code() == "InvalidAccessKeyId.NotFound"
    assert refused.get_http_status() == 404


def test_stale_timestamp(served: Served, default_keys: Keys,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    stale = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 16 * 60))
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stale))
    error = sdk_error(lambda: typed_client(served, default_keys).describe_regions(
        sdk.DescribeRegionsRequest()))
    assert (error.code, error.status_code) == ("InvalidTimeStamp.Expired", 400)
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: stale)
    refused = classic_error(classic_client(served, default_keys), common("DescribeRegions"))
    assert (refused.get_error_code(), refused.get_http_status()) == (
        "InvalidTimeStamp.Expired", 400)


def test_reused_nonce(served: Served, default_keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    nonce = f"fixed-nonce-{time.time_ns()}"
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: nonce))
    client = typed_client(served, default_keys)
    client.describe_regions(sdk.DescribeRegionsRequest())
    error = sdk_error(lambda: client.describe_regions(sdk.DescribeRegionsRequest()))
    assert (error.code, error.status_code) == ("SignatureNonceUsed", 400)
    monkeypatch.setattr(parameter_helper, "get_uuid", lambda: nonce + "-classic")
    classic = classic_client(served, default_keys)
    classic.do_action_with_exception(common("DescribeRegions"))
    refused = classic_error(classic, common("DescribeRegions"))
    assert (refused.get_error_code(), refused.get_http_status()) == ("SignatureNonceUsed", 400)


def test_a_refused_signature_does_not_use_up_the_nonce(served: Served, default_keys: Keys,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    nonce = f"kept-nonce-{time.time_ns()}"
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: nonce))
    wrong = Keys("default", default_keys.access_key_id, "not-the-secret")
    sdk_error(lambda: typed_client(served, wrong).describe_regions(sdk.DescribeRegionsRequest()))
    typed_client(served, default_keys).describe_regions(sdk.DescribeRegionsRequest())


def test_missing_signature_parts(served: Served, default_keys: Keys) -> None:
    query = signed_query(default_keys, {"Action": "DescribeRegions", "Version": "2014-05-26"})
    without_signature = "&".join(p for p in query.split("&") if not p.startswith("Signature="))
    status, body = raw(served, without_signature)
    assert (status, json.loads(body)["Code"]) == (400, "IncompleteSignature")
    without_time = "&".join(p for p in query.split("&") if not p.startswith("Timestamp="))
    status, body = raw(served, without_time)
    assert (status, json.loads(body)["Code"]) == (400, "MissingParameter")
    headers = {"x-acs-action": "DescribeRegions", "x-acs-version": "2014-05-26",
               "Authorization": f"ACS3-HMAC-SHA256 Credential={default_keys.access_key_id}"}
    status, body = raw(served, headers=headers)
    assert (status, json.loads(body)["Code"]) == (400, "IncompleteSignature")
    assert set(json.loads(body)) == ERROR_FIELDS


def test_unknown_action_and_version(served: Served, default_keys: Keys) -> None:
    classic = classic_client(served, default_keys)
    refused = classic_error(classic, common("DescribeNothing"))
    assert (refused.get_error_code(), refused.get_http_status()) == (
        "InvalidAction.NotFound", 404)
    refused = classic_error(classic, common("DescribeRegions", version="2016-03-14"))
    assert (refused.get_error_code(), refused.get_http_status()) == ("InvalidVersion", 400)


def test_unknown_parameter_is_an_api_error(served: Served, default_keys: Keys) -> None:
    refused = classic_error(classic_client(served, default_keys),
                            common("DescribeRegions", NoSuchParameter="1"))
    assert (refused.get_error_code(), refused.get_http_status()) == ("InvalidParameter", 400)


# -- XML -----------------------------------------------------------------------------------


def test_xml_reply_and_xml_error(served: Served, default_keys: Keys) -> None:
    query = signed_query(default_keys, {"Action": "DescribeImages", "Version": "2014-05-26",
                                        "RegionId": HZ, "PageSize": "2"}, fmt="XML")
    status, body = raw(served, query)
    assert status == 200 and body.startswith(b"<?xml")
    root = ET.fromstring(body)
    assert root.tag == "DescribeImagesResponse"
    assert len(root.findall("./Images/Image")) == 2
    assert root.findtext("RequestId")
    query = signed_query(default_keys, {"Action": "ModifyImageAttribute",
                                        "Version": "2014-05-26", "RegionId": HZ,
                                        "ImageId": "m-nosuchimage", "Description": "x"},
                         fmt="XML")
    status, body = raw(served, query)
    error = ET.fromstring(body)
    assert status == 404 and error.tag == "Error"
    assert {child.tag for child in error} == ERROR_FIELDS
    assert error.findtext("Code") == "InvalidImageId.NotFound"


def test_secrets_stay_out_of_the_catalogue_log(served: Served, default_keys: Keys) -> None:
    client = typed_client(served, default_keys)
    images = client.describe_images(sdk.DescribeImagesRequest(
        region_id=HZ, image_owner_alias="self")).body.images.image
    client.modify_image_attribute(sdk.ModifyImageAttributeRequest(
        region_id=HZ, image_id=images[0].image_id, description="logged"))
    events = b"".join(p.read_bytes() for p in (served.db / "events").glob("*.json"))
    assert b"logged" in events
    assert default_keys.secret.encode() not in events
    assert default_keys.secret not in served.stderr()
