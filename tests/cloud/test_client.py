"""The real SDK client against a stand-in endpoint and real sockets on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ecsimg.cloud.client import CloudApiError, EcsClient
from ecsimg.cloud.credentials import build_credential, resolve_source
from ecsimg.cloud.endpoint import parse_endpoint
from ecsimg.cloud.errors import BadResponse, Unreachable
from ecsimg.cloud.retry import RetryPolicy
from ecsimg.domain.errors import ApiError, DryRunOperation
from tests.cloud.conftest import SECRET, ak_profile, write_config
from tests.cloud.helpers import client_for, free_port, listener
from tests.cloud.stand_in import StandIn


def test_invoke_returns_the_response_body(clean_environment: Path, stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    body = client.invoke("DescribeRegions", {})
    assert "cn-hangzhou" in [r["RegionId"] for r in body["Regions"]["Region"]]
    action, _, headers = stand_in.requests[-1]
    assert (action, headers["x-acs-version"]) == ("DescribeRegions", "2014-05-26")
    assert headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI5t")
    assert SECRET not in str(stand_in.requests)


def test_params_go_on_the_wire_as_given(clean_environment: Path, stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    client.invoke("DescribeImages", {"RegionId": "cn-beijing", "ImageOwnerAlias": "system",
                                     "PageSize": "5", "Filter.1.Key": "CreationStartTime",
                                     "Filter.1.Value": "2020-01-01T00:00Z"})
    _, params, _ = stand_in.requests[-1]
    assert params == {"RegionId": "cn-beijing", "ImageOwnerAlias": "system", "PageSize": "5",
                      "Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2020-01-01T00:00Z"}


def test_api_errors_are_the_simulators_api_errors(clean_environment: Path,
                                                  stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    with pytest.raises(ApiError) as caught:
        client.invoke("DescribeImages", {"RegionId": "xx-nowhere-1"})
    err = caught.value
    assert (err.code, err.http_status) == ("InvalidRegionId.NotFound", 404)
    assert err.message == "The specified RegionId 'xx-nowhere-1' does not exist."
    assert err.request_id and err.request_id != "None"
    assert err.to_dict()["RequestId"] == err.request_id


def test_dry_run_passes_as_the_simulators_dry_run_error(clean_environment: Path,
                                                        stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    with pytest.raises(DryRunOperation):
        client.invoke("DescribeImages", {"RegionId": "cn-hangzhou", "DryRun": "true"})


def test_a_mutation_that_takes_one_gets_a_client_token(clean_environment: Path,
                                                       stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    with pytest.raises(ApiError):
        client.invoke("CopyImage", {"RegionId": "cn-hangzhou", "ImageId": "m-doesnotexist1",
                                    "DestinationRegionId": "cn-beijing"})
    _, params, _ = stand_in.requests[-1]
    assert len(params["ClientToken"]) == 36
    with pytest.raises(ApiError):
        client.invoke("CopyImage", {"RegionId": "cn-hangzhou", "ImageId": "m-doesnotexist1",
                                    "DestinationRegionId": "cn-beijing", "ClientToken": "mine"})
    assert stand_in.requests[-1][1]["ClientToken"] == "mine"


def test_throttled_reads_are_retried_with_the_servers_wait(clean_environment: Path,
                                                           stand_in: StandIn) -> None:
    sleeps: list[float] = []
    client = client_for(clean_environment, stand_in.url, sleeps=sleeps)
    stand_in.throttle_next, stand_in.retry_after_ms = 2, 40
    body = client.invoke("DescribeRegions", {})
    assert body["Regions"]["Region"]
    assert stand_in.actions() == ["DescribeRegions"] * 3
    assert len(sleeps) == 2 and all(s >= 0.04 for s in sleeps)


def test_a_mutation_without_a_client_token_is_sent_once(clean_environment: Path,
                                                        stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    stand_in.server_errors_next = 1
    with pytest.raises(ApiError) as caught:
        client.invoke("ModifyImageAttribute", {"RegionId": "cn-hangzhou", "ImageId": "m-x1234567",
                                               "Description": "d"})
    assert caught.value.code == "ServiceUnavailable" and caught.value.http_status == 503
    assert stand_in.actions() == ["ModifyImageAttribute"]


def test_a_mutation_with_a_client_token_is_retried(clean_environment: Path,
                                                   stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url)
    stand_in.server_errors_next = 2
    with pytest.raises(ApiError) as caught:
        client.invoke("CopyImage", {"RegionId": "cn-hangzhou", "ImageId": "m-doesnotexist1",
                                    "DestinationRegionId": "cn-beijing"})
    assert caught.value.code != "ServiceUnavailable"  # the third send got the real answer
    tokens = {params["ClientToken"] for _, params, _ in stand_in.requests}
    assert len(stand_in.requests) == 3 and len(tokens) == 1


def test_retries_stop_at_the_bound(clean_environment: Path, stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url,
                        retry=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.001))
    stand_in.throttle_next = 10
    with pytest.raises(CloudApiError) as caught:
        client.invoke("DescribeRegions", {})
    assert caught.value.code == "Throttling.User"
    assert len(stand_in.requests) == 3


def test_a_gateway_page_is_a_bad_response(clean_environment: Path, stand_in: StandIn) -> None:
    client = client_for(clean_environment, stand_in.url,
                        retry=RetryPolicy(max_attempts=1))
    stand_in.html_next = 1
    with pytest.raises(BadResponse, match="something other than the ECS API's JSON"):
        client.invoke("DescribeRegions", {})


def test_nothing_listening_is_one_line_offline_error_at_once(clean_environment: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = client_for(clean_environment, url)
    started = time.perf_counter()
    with pytest.raises(Unreachable) as caught:
        client.invoke("DescribeRegions", {})
    elapsed = time.perf_counter() - started
    assert str(caught.value) == f"cannot reach {url}: connection refused"
    assert caught.value.reason == "refused"
    assert elapsed < 1.0, elapsed  # refused is not retried: offline shows at once


def test_an_endpoint_that_never_answers_times_out_within_the_bound(
        clean_environment: Path) -> None:
    with listener(hang_up=False) as silent:
        url = f"http://127.0.0.1:{silent.port}"
        client = client_for(clean_environment, url, read_timeout=0.5)
        started = time.perf_counter()
        with pytest.raises(Unreachable) as caught:
            client.invoke("DescribeRegions", {})
        elapsed = time.perf_counter() - started
    assert str(caught.value) == f"{url} did not answer within 0.5 s"
    assert caught.value.reason == "timeout"
    assert 0.5 <= elapsed < 2.0, elapsed
    assert silent.connections == 1  # a timeout is not retried


def test_dropped_connections_are_retried_for_reads_then_reported(
        clean_environment: Path) -> None:
    with listener(hang_up=True) as dropping:
        url = f"http://127.0.0.1:{dropping.port}"
        client = client_for(clean_environment, url,
                            retry=RetryPolicy(max_attempts=3, base_delay=0.001))
        with pytest.raises(Unreachable) as caught:
            client.invoke("DescribeRegions", {})
        assert caught.value.reason == "dropped"
        assert str(caught.value) == f"cannot reach {url}: the connection was dropped"
        assert dropping.connections == 3


def test_a_loopback_endpoint_is_never_sent_through_the_proxy(
        clean_environment: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    with listener(hang_up=True) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
        client = client_for(clean_environment, stand_in.url)
        client.invoke("DescribeRegions", {})
        assert proxy.connections == 0
        assert stand_in.actions() == ["DescribeRegions"]


def test_a_role_whose_sts_cannot_be_reached_is_one_quiet_line(
        clean_environment: Path, stand_in: StandIn, capfd: pytest.CaptureFixture[str]) -> None:
    sts_port = free_port()
    write_config(clean_environment, [ak_profile(
        "role", mode="RamRoleArn", ram_role_arn="acs:ram::1234567890123456:role/ecsimg",
        ram_session_name="ecsimg", sts_endpoint=f"https://127.0.0.1:{sts_port}")])
    source = resolve_source("role")
    credential = build_credential(source, connect_timeout_ms=500, read_timeout_ms=500)
    client = EcsClient(credential, source.region_id, parse_endpoint(stand_in.url),
                       secrets=source.secrets)
    with pytest.raises(Unreachable) as caught:
        client.invoke("DescribeRegions", {})
    assert str(caught.value) == ("cannot reach the credential service (STS or the ECS metadata "
                                 "service): connection refused")
    assert stand_in.requests == []  # nothing is sent unsigned
    printed = capfd.readouterr()
    assert printed.err == "" and printed.out == ""  # the SDK's own loggers are silenced
    assert SECRET not in str(caught.value)


def test_a_mutation_whose_answer_is_lost_says_it_may_have_run(clean_environment: Path) -> None:
    with listener(hang_up=False) as silent:
        url = f"http://127.0.0.1:{silent.port}"
        client = client_for(clean_environment, url, read_timeout=0.3)
        with pytest.raises(Unreachable) as caught:
            client.invoke("ModifyImageAttribute", {"RegionId": "cn-hangzhou",
                                                   "ImageId": "m-x1234567", "ImageName": "n"})
    assert str(caught.value) == (f"{url} did not answer within 0.3 s; ModifyImageAttribute may "
                                 "have been applied: refresh to see")
    assert caught.value.may_have_arrived and silent.connections == 1
