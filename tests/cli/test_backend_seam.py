"""The CLI on a Backend with no catalogue behind it: the commands need the protocol alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecsimg import bootstrap
from ecsimg.domain.errors import ApiError
from ecsimg.service.backend import Backend
from ecsimg.service.images.load import LOAD_ACTION
from ecsimg.service.market.purchases import BUY_ACTION
from tests.cli.runner import Runner
from tests.recording_backend import RecordingBackend


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> RecordingBackend:
    backend = RecordingBackend()

    def open_backend(db: str | None = None, profile: str | None = None, *,
                     read_only: bool = False) -> Backend:
        return backend if profile is None else backend.for_profile(profile)

    monkeypatch.setattr(bootstrap, "open_backend", open_backend)
    return backend


def test_api_calls_go_to_the_backend(ecsimg_main: Runner, recording: RecordingBackend) -> None:
    result = ecsimg_main("api", "ModifyImageAttribute", "--ImageId", "m-x", "--ImageName", "y")
    assert (result.status, result.json()) == (0, {"RequestId": "r-1"})
    assert recording.record.calls == [("ModifyImageAttribute", {"ImageId": "m-x",
                                                                 "ImageName": "y"})]


def test_an_api_error_of_the_backend_is_printed_as_the_api_would(
        ecsimg_main: Runner, recording: RecordingBackend) -> None:
    refused = ApiError("InvalidImageId.NotFound", "no such image", 404)
    refused.request_id = "r-refused"
    recording.record.refused["DeleteImage"] = refused
    result = ecsimg_main("api", "DeleteImage", "--ImageId", "m-x")
    assert result.status == 1
    assert result.error() == {"Code": "InvalidImageId.NotFound", "Message": "no such image",
                              "HttpStatus": 404, "RequestId": "r-refused"}


def test_market_buy_and_load_are_calls_of_the_backend(
        ecsimg_main: Runner, recording: RecordingBackend, tmp_path: Path) -> None:
    assert ecsimg_main("market", "buy", "m-x", "--Amount", "2").status == 0
    saved = tmp_path / "images.json"
    saved.write_text(json.dumps({"RegionId": "xx-test-1", "Images": {"Image": []}}))
    result = ecsimg_main("load", str(saved))
    assert result.status == 0, result.err
    assert result.out.startswith("loaded 0 images from 1 file")
    assert recording.record.calls == [(BUY_ACTION, {"ImageId": "m-x", "Amount": "2"}),
                                      (LOAD_ACTION, {"Files": str(saved)})]


def test_profile_list_reads_the_backends_profiles(ecsimg_main: Runner,
                                                  recording: RecordingBackend) -> None:
    result = ecsimg_main("profile", "list")
    assert result.status == 0
    rows = [line.split() for line in result.out.splitlines()[1:]]
    assert rows == [["*", "main", "1111222233334444", "fixed-account", "china", "xx-test-1",
                     "no"],
                    ["viewer", "1111222233334444", "fixed-account", "china", "xx-test-1",
                     "yes"]]
