"""Endpoint URLs, the cache folder they name, and which ones skip the proxy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecsimg import locations
from ecsimg.cloud.endpoint import bypass_proxy, endpoint_from, parse_endpoint, slug
from ecsimg.cloud.errors import EndpointError
from ecsimg.cloud.session import resolve_target
from tests.cloud.conftest import ak_profile, write_config


def test_http_endpoint_becomes_host_and_protocol() -> None:
    endpoint = parse_endpoint("http://127.0.0.1:8470")
    assert (endpoint.host, endpoint.protocol, endpoint.url) == (
        "127.0.0.1:8470", "http", "http://127.0.0.1:8470")
    assert endpoint.is_loopback and endpoint.slug == "127.0.0.1-8470"


def test_bare_host_means_https() -> None:
    endpoint = parse_endpoint("ecs-vpc.cn-hangzhou.aliyuncs.com")
    assert (endpoint.protocol, endpoint.host, endpoint.is_loopback) == (
        "https", "ecs-vpc.cn-hangzhou.aliyuncs.com", False)


def test_ipv6_loopback() -> None:
    endpoint = parse_endpoint("http://[::1]:8470/")
    assert endpoint.is_loopback and endpoint.host == "[::1]:8470"
    assert parse_endpoint("http://localhost:1").is_loopback


@pytest.mark.parametrize(("text", "problem"), [
    ("ftp://x", "scheme must be http or https"),
    ("http://", "names no host"),
    ("http://u:p@host", "cannot carry a user or password"),
    ("http://host/api", "scheme, host and port only"),
    ("http://host:99999", "is not a URL"),
])
def test_bad_endpoints(text: str, problem: str) -> None:
    with pytest.raises(EndpointError, match=problem):
        parse_endpoint(text)


def test_flag_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECSIMG_ENDPOINT", "http://127.0.0.1:9000")
    assert endpoint_from(None) == parse_endpoint("http://127.0.0.1:9000")
    assert endpoint_from("http://127.0.0.1:8000") == parse_endpoint("http://127.0.0.1:8000")
    monkeypatch.setenv("ECSIMG_ENDPOINT", "gopher://x")
    with pytest.raises(EndpointError, match=r"^ECSIMG_ENDPOINT "):
        endpoint_from(None)
    monkeypatch.delenv("ECSIMG_ENDPOINT")
    assert endpoint_from(None) is None


def test_a_real_endpoint_keeps_the_users_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert bypass_proxy(parse_endpoint("https://ecs.cn-hangzhou.aliyuncs.com")) is None
    assert bypass_proxy(None) is None
    assert os.environ["HTTPS_PROXY"] == "http://proxy.corp:3128"


def test_a_loopback_or_no_proxy_endpoint_drops_its_schemes_proxy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3129")
    assert bypass_proxy(parse_endpoint("http://127.0.0.1:8470")) == "http://proxy.corp:3128"
    assert "HTTP_PROXY" not in os.environ
    assert os.environ["HTTPS_PROXY"] == "http://proxy.corp:3129"  # STS still needs it
    monkeypatch.setenv("NO_PROXY", ".internal.example")
    assert bypass_proxy(parse_endpoint("https://ecs.internal.example")) == \
        "http://proxy.corp:3129"


def test_cache_folder_per_source_and_endpoint(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    served = locations.cloud_catalogue("prod", slug(parse_endpoint("http://127.0.0.1:8470")))
    real = locations.cloud_catalogue("prod", slug(None))
    assert served == tmp_path / "ecsimg" / "cloud" / "prod@127.0.0.1-8470"
    assert real == tmp_path / "ecsimg" / "cloud" / "prod@aliyun"
    assert locations.default_catalogue() not in (served, real, *served.parents)


def test_cache_folder_names_are_safe_and_distinct() -> None:
    odd = locations.cloud_catalogue("../../etc", "aliyun")
    other = locations.cloud_catalogue("__.._etc", "aliyun")
    assert odd.parent == locations.cloud_dir() and "/" not in odd.name
    assert odd != other


def test_a_target_names_its_cache_before_any_call(clean_environment: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(clean_environment, [ak_profile("prod")], current="prod")
    monkeypatch.setenv("ECSIMG_ENDPOINT", "http://127.0.0.1:8470")
    target = resolve_target("")
    assert target.describe() == "prod via http://127.0.0.1:8470"
    assert target.cache_path.name == "prod@127.0.0.1-8470"
    assert resolve_target("prod", "https://ecs.cn-hangzhou.aliyuncs.com").cache_path.name == \
        "prod@ecs.cn-hangzhou.aliyuncs.com"
