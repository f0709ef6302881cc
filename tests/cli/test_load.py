"""``ecsimg load``: saved DescribeImages responses into another catalogue, and bad files refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import Runner, run_ecsimg, tree_bytes

FOREIGN_UID = 1999999999999999
"""An account the catalogue does not hold (a real cloud's sharer)."""
KEPT_FIELDS = ("ImageId", "ImageName", "ImageOwnerAlias", "OSName", "OSNameEn", "OSType",
               "Architecture", "Platform", "Size", "Status", "CreationTime", "Description",
               "ImageFamily", "ImageVersion", "Tags", "IsPublic", "BootMode")


def _project(image: dict[str, Any]) -> dict[str, Any]:
    disks = [(d["Device"], d["Type"], d["Size"], d["SnapshotId"])
             for d in image["DiskDeviceMappings"]["DiskDeviceMapping"]]
    return {**{k: image[k] for k in KEPT_FIELDS}, "Disks": disks}


def _save(ecsimg: Runner, path: Path, *args: str) -> list[dict[str, Any]]:
    result = ecsimg("api", "DescribeImages", "--PageSize", "100", *args)
    assert result.status == 0, result.err
    path.write_text(result.out, encoding="utf-8")
    images: list[dict[str, Any]] = result.json()["Images"]["Image"]
    assert images
    return images


def _describe(run: Runner, db: Path, ids: list[str], *args: str) -> list[dict[str, Any]]:
    result = run("--db", str(db), "api", "DescribeImages", "--ImageId", ",".join(ids),
                 "--PageSize", "100", *args)
    assert result.status == 0, result.err
    found: list[dict[str, Any]] = result.json()["Images"]["Image"]
    return sorted(found, key=lambda i: i["ImageId"])


def test_load_a_saved_response_into_another_catalogue(
    ecsimg: Runner, ecsimg_main: Runner, tmp_path: Path
) -> None:
    saved = tmp_path / "own.json"
    images = _save(ecsimg, saved, "--ImageOwnerAlias", "self")
    other = tmp_path / "other" / "catalogue"
    # Another random seed: the other catalogue's own custom images have other IDs.
    assert ecsimg_main("--db", str(other), "seed", "--random-seed", "7").status == 0
    ids = sorted(i["ImageId"] for i in images)
    assert _describe(ecsimg_main, other, ids, "--ImageOwnerAlias", "self") == []

    first = run_ecsimg("load", str(saved), db=other)
    assert first.status == 0, first.err
    assert first.out == (f"loaded {len(images)} images from 1 file: {len(images)} added, "
                         "0 updated\n")
    loaded = _describe(ecsimg_main, other, ids, "--ImageOwnerAlias", "self")
    assert [_project(i) for i in loaded] == sorted(
        (_project(i) for i in images), key=lambda i: i["ImageId"])

    again = ecsimg_main("--db", str(other), "load", str(saved))
    assert again.out.endswith(f": 0 added, {len(images)} updated\n")


def test_load_maps_shared_and_public_images(ecsimg_main: Runner, tmp_path: Path) -> None:
    shared_file, public_file = tmp_path / "shared.json", tmp_path / "public.json"
    shared = _save(ecsimg_main, shared_file, "--ImageOwnerAlias", "others")
    public = _save(ecsimg_main, public_file, "--ImageOwnerAlias", "system", "--RegionId",
                   "ap-southeast-1")
    other = tmp_path / "other" / "catalogue"
    assert ecsimg_main("--db", str(other), "seed", "--images", "0").status == 0
    # Their owners are accounts of the other catalogue too: a file cannot add to them.
    refused = ecsimg_main("--db", str(other), "load", str(shared_file))
    assert refused.status == 1 and "an account of this catalogue" in refused.err
    body = json.loads(shared_file.read_text(encoding="utf-8"))
    for image in body["Images"]["Image"]:
        image["ImageOwnerId"] = FOREIGN_UID
    for image in shared:
        image["ImageOwnerId"] = FOREIGN_UID
    shared_file.write_text(json.dumps(body), encoding="utf-8")
    result = ecsimg_main("--db", str(other), "load", str(shared_file), str(public_file))
    assert result.status == 0, result.err
    assert result.out.startswith(f"loaded {len(shared) + len(public)} images from 2 files")
    found_shared = _describe(ecsimg_main, other, [i["ImageId"] for i in shared],
                             "--ImageOwnerAlias", "others")
    assert len(found_shared) == len(shared)
    for image in found_shared:
        original = next(i for i in shared if i["ImageId"] == image["ImageId"])
        assert image["ImageOwnerId"] == original["ImageOwnerId"]
    found = _describe(ecsimg_main, other, [i["ImageId"] for i in public[:5]], "--RegionId",
                      "ap-southeast-1", "--ImageOwnerAlias", "system")
    assert {i["ImageId"] for i in found} == {i["ImageId"] for i in public[:5]}


@pytest.fixture(scope="module")
def one_image(demo_template: Path) -> dict[str, Any]:
    """A real one-image DescribeImages response, its image renamed to a new ID."""
    result = run_ecsimg("api", "DescribeImages", "--ImageOwnerAlias", "self", "--PageSize", "1",
                        db=demo_template)
    body: dict[str, Any] = result.json()
    body["Images"]["Image"][0]["ImageId"] = "m-loadtest000000000000"
    return body


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target: Any = body
    keys = path.split("/")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[keys[-1]] = value
    return body


MALFORMED = [
    (lambda b: [b], "not a DescribeImages response"),
    (lambda b: _set(b, "Images/Image/0/Size", "forty"), "'Size' is a string, not an integer"),
    (lambda b: _set(b, "Images/Image/0/ImageId", "m-../../etc"), "not an image ID"),
    (lambda b: {"RegionId": "cn-hangzhou"}, "no Images.Image list"),
    (lambda b: _set(b, "Images/Image", "nope"), "'Images.Image' is a string, not a list"),
    (lambda b: _set(b, "RegionId", "mars-1"), "not a known region"),
    (lambda b: _set(b, "Images/Image/0/Size", -3), "'Size' is -3"),
    (lambda b: _set(b, "Images/Image/0/ImageOwnerAlias", "root"), "'ImageOwnerAlias'"),
    (lambda b: _set(b, "Images/Image/0/ImageName", ["x"]), "'ImageName' is a list"),
    (lambda b: _set(b, "Images/Image/0/CreationTime", "yesterday"), "'CreationTime'"),
    (lambda b: _set(b, "Images/Image/0/Description", "x" * 5000), "longer than"),
    (lambda b: _set(b, "Images/Image/0/IsPublic", "maybe"), "not true or false"),
    (lambda b: _set(b, "Images/Image/0/Tags", {"Tag": [{"TagValue": "v"}]}), "'TagKey'"),
]


def _check_refused(run: Runner, demo_db: Path, path: Path, says: str) -> None:
    before = tree_bytes(demo_db)
    result = run("load", str(path))
    assert result.status == 1
    assert result.out == ""
    assert result.err.startswith(f"ecsimg: {path}") and says in result.err
    assert len(result.err.splitlines()) == 1
    assert tree_bytes(demo_db) == before


@pytest.mark.parametrize(("change", "says"), MALFORMED[:3])
def test_a_malformed_file_is_refused_with_one_line_and_nothing_loaded(
    ecsimg: Runner, demo_db: Path, tmp_path: Path, one_image: dict[str, Any], change: Any,
    says: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(change(one_image)), encoding="utf-8")
    _check_refused(ecsimg, demo_db, path, says)


@pytest.mark.parametrize(("change", "says"), MALFORMED)
def test_every_malformed_field_is_named(
    ecsimg_main: Runner, demo_db: Path, tmp_path: Path, one_image: dict[str, Any], change: Any,
    says: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(change(one_image)), encoding="utf-8")
    _check_refused(ecsimg_main, demo_db, path, says)


@pytest.mark.parametrize(("content", "says"), [
    (b"", "not valid JSON (the file is empty)"),
    (b"{not json", "not valid JSON (lexical error: invalid string in json text, before byte"),
    (b"\xff\xfe\x00", "not valid JSON (lexical error: invalid char in json text"),
    (b"[" * 5000, "nested more than 1024 lists and objects deep"),
])
def test_a_file_that_is_not_json_is_refused(ecsimg_main: Runner, tmp_path: Path,
                                            content: bytes, says: str) -> None:
    path = tmp_path / "junk.json"
    path.write_bytes(content)
    result = ecsimg_main("load", str(path))
    assert result.status == 1
    assert result.err.startswith(f"ecsimg: {path}: {says}"), result.err
    assert len(result.err.splitlines()) == 1


def test_one_bad_file_among_good_ones_loads_nothing(
    ecsimg_main: Runner, demo_db: Path, tmp_path: Path, one_image: dict[str, Any]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(one_image), encoding="utf-8")
    before = tree_bytes(demo_db)
    result = ecsimg_main("load", str(good), str(tmp_path / "missing.json"))
    assert result.status == 1
    assert "missing.json: cannot read" in result.err
    assert tree_bytes(demo_db) == before


def test_load_is_refused_under_read_only(
    ecsimg_main: Runner, demo_db: Path, tmp_path: Path, one_image: dict[str, Any]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(one_image), encoding="utf-8")
    before = tree_bytes(demo_db)
    result = ecsimg_main("--read-only", "load", str(good))
    assert result.status == 1
    assert result.error()["Code"] == "Forbidden.ReadOnly"
    assert tree_bytes(demo_db) == before


def test_load_without_files_is_a_usage_error(ecsimg_main: Runner) -> None:
    assert "FILE" in ecsimg_main("load").usage_line()


def test_load_reports_one_image_added(ecsimg_main: Runner, tmp_path: Path,
                                      one_image: dict[str, Any]) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(one_image), encoding="utf-8")
    result = ecsimg_main("load", str(good))
    assert result.out == "loaded 1 image from 1 file: 1 added, 0 updated\n"
    found = ecsimg_main("api", "DescribeImages", "--ImageId", "m-loadtest000000000000")
    assert found.json()["TotalCount"] == 1
