"""``ecsimg api``: aliyun-style parameters, JSON on stdout, errors on stderr, exit statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_ecsimg, tree_bytes


def test_describe_images_on_a_fresh_folder_creates_the_demo_catalogue(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "catalogue"
    result = run_ecsimg("api", "DescribeImages", "--ImageOwnerAlias", "system",
                        "--PageSize", "100", db=db)
    assert result.status == 0, result.err
    assert result.err == ""
    body = result.json()
    assert body["RegionId"] == "cn-hangzhou"
    images = body["Images"]["Image"]
    assert body["TotalCount"] >= len(images) > 0
    assert {i["ImageOwnerAlias"] for i in images} == {"system"}
    assert any(i["ImageId"].startswith("aliyun_3_") for i in images)
    assert len(body["RequestId"]) == 36
    assert (db / "meta.json").is_file()
    # Indented 2, with Chinese text written as itself rather than \u escapes.
    assert result.out.startswith('{\n  "')
    assert "\\u" not in result.out and "位" in result.out


def test_key_equals_value_form_is_the_same_as_key_space_value(
    ecsimg: Runner, ecsimg_main: Runner
) -> None:
    spaced = ecsimg_main("api", "DescribeImages", "--ImageOwnerAlias", "self", "--PageSize", "3")
    joined = ecsimg("api", "DescribeImages", "--ImageOwnerAlias=self", "--PageSize=3")
    assert spaced.status == joined.status == 0, (spaced.err, joined.err)
    assert spaced.json()["PageSize"] == joined.json()["PageSize"] == 3
    ids = [[i["ImageId"] for i in r.json()["Images"]["Image"]] for r in (spaced, joined)]
    assert ids[0] == ids[1] and len(ids[0]) == 3


def test_region_defaults_to_the_profile_region(ecsimg_main: Runner) -> None:
    assert ecsimg_main("api", "DescribeImages").json()["RegionId"] == "cn-hangzhou"
    dev = ecsimg_main("--profile", "dev", "api", "DescribeImages")
    assert dev.json()["RegionId"] == "cn-shanghai"
    explicit = ecsimg_main("api", "DescribeImages", "--RegionId", "ap-southeast-1")
    assert explicit.json()["RegionId"] == "ap-southeast-1"


USAGE_ERRORS = [
    (["api", "DescribeImagez"], "unknown action 'DescribeImagez'; did you mean DescribeImages?"),
    (["api", "DescribeImages", "--Bogus", "1"], "does not take the parameter --Bogus"),
    (["api", "DescribeImages", "--pagesize", "1"], "did you mean --PageSize?"),
    (["api", "DescribeImages", "--PageSize"], "--PageSize needs a value"),
    (["api", "DescribeImages", "--PageSize", "--PageNumber", "1"], "--PageSize needs a value"),
    (["api", "DescribeImages", "stray"], "unexpected argument 'stray'"),
    (["api", "DescribeImages", "-x"], "unexpected argument '-x'"),
    (["api", "DescribeImages", "--PageSize", "1", "--PageSize", "2"], "given twice"),
    (["api", "DescribeImages", "--Tag.x!", "1"], "is not a parameter name"),
    (["api"], "api needs an ACTION"),
    (["--frobnicate", "api", "DescribeImages"], "unknown option '--frobnicate'"),
    (["--db"], "option --db needs a value"),
    (["--profile=", "profile", "list"], "option --profile needs a non-empty value"),
    (["dance"], "unknown command 'dance'"),
    (["seed", "--images", "many"], "seed: argument --images: 'many' is not a whole number"),
    (["seed", "--colour"], "unrecognized arguments: --colour"),
    (["market", "buy"], "IMAGE_ID"),
    (["market", "buy", "m-x", "--Amount", "-1"], "is negative"),
    (["market", "sell", "m-x"], "invalid choice: 'sell'"),
]


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS[:3])
def test_usage_errors_exit_2_with_one_line_and_touch_nothing(
    tmp_path: Path, args: list[str], says: str
) -> None:
    db = tmp_path / "catalogue"
    result = run_ecsimg(*args, db=db)
    assert says in result.usage_line()
    assert result.out == ""
    assert not db.exists()


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS)
def test_every_usage_error_is_one_line_before_the_catalogue_is_opened(
    ecsimg_main: Runner, tmp_path: Path, args: list[str], says: str
) -> None:
    missing = tmp_path / "never-created"
    result = ecsimg_main(*args, env={"ECSIMG_DB": str(missing)})
    assert says in result.usage_line()
    assert result.out == ""
    assert not missing.exists()


def test_repeat_list_parameters_share_an_image(ecsimg_main: Runner) -> None:
    own = ecsimg_main("api", "DescribeImages", "--ImageOwnerAlias", "self", "--PageSize", "100")
    image = next(i for i in own.json()["Images"]["Image"] if i["Status"] == "Available"
                 and not any(d["Encrypted"] for d in i["DiskDeviceMappings"]["DiskDeviceMapping"]))
    uid = "6000000000000042"
    shared = ecsimg_main("api", "ModifyImageSharePermission", "--ImageId", image["ImageId"],
                    "--AddAccount.1", uid)
    assert shared.status == 0, shared.err
    assert set(shared.json()) == {"RequestId"}
    listed = ecsimg_main("api", "DescribeImageSharePermission", "--ImageId", image["ImageId"],
                    "--PageSize", "100")
    assert uid in {a["AliyunId"] for a in listed.json()["Accounts"]["Account"]}


def test_api_error_exits_1_with_one_json_object_on_stderr(ecsimg: Runner) -> None:
    result = ecsimg("api", "DescribeImageSharePermission", "--ImageId", "m-doesnotexist0000000")
    assert result.status == 1
    assert result.out == ""
    body = result.error()
    assert body["Code"] == "InvalidImageId.NotFound"
    assert body["HttpStatus"] == 404
    assert len(body["RequestId"]) == 36 and body["RequestId"] == body["RequestId"].upper()


def test_missing_required_parameter_is_an_api_error_not_a_usage_error(ecsimg_main: Runner) -> None:
    result = ecsimg_main("api", "DescribeImageSharePermission")
    assert result.status == 1
    assert result.error()["Code"] == "MissingParameter"


def test_dry_run_that_would_succeed_is_dryrunoperation_and_changes_nothing(
    ecsimg: Runner, ecsimg_main: Runner, demo_db: Path
) -> None:
    own = ecsimg_main("api", "DescribeImages", "--ImageOwnerAlias", "self", "--PageSize", "1")
    image_id = own.json()["Images"]["Image"][0]["ImageId"]
    before = ecsimg_main("api", "DescribeImages", "--ImageId", image_id).json()["Images"]["Image"]
    files_before = tree_bytes(demo_db)
    result = ecsimg("api", "ModifyImageAttribute", "--ImageId", image_id,
                    "--Description", "dry run only", "--DryRun", "true")
    assert result.status == 1
    body = result.error()
    assert (body["Code"], body["HttpStatus"]) == ("DryRunOperation", 400)
    # Only the audit event of the refused call is new; the image is as it was.
    changed = {name for name, data in tree_bytes(demo_db).items()
               if files_before.get(name) != data}
    assert all(name.startswith("events/") or name == "meta.json" for name in changed), changed
    after = ecsimg_main("api", "DescribeImages", "--ImageId", image_id).json()["Images"]["Image"]
    assert after == before and after[0]["Description"] != "dry run only"


def test_read_only_refuses_modify_image_share_permission(
    ecsimg: Runner, ecsimg_main: Runner, demo_db: Path
) -> None:
    own = ecsimg_main("api", "DescribeImages", "--ImageOwnerAlias", "self", "--PageSize", "1")
    image_id = own.json()["Images"]["Image"][0]["ImageId"]
    before = tree_bytes(demo_db)
    result = ecsimg("--read-only", "api", "ModifyImageSharePermission", "--ImageId", image_id,
                    "--AddAccount.1", "6000000000000007")
    assert result.status == 1
    body = result.error()
    assert (body["Code"], body["HttpStatus"]) == ("Forbidden.ReadOnly", 403)
    assert tree_bytes(demo_db) == before
    # Reads still work under --read-only.
    assert ecsimg_main("--read-only", "api", "DescribeRegions").status == 0


def test_read_only_profile_refuses_without_the_flag(ecsimg_main: Runner) -> None:
    own = ecsimg_main("api", "DescribeImages", "--ImageOwnerAlias", "self", "--PageSize", "1")
    image_id = own.json()["Images"]["Image"][0]["ImageId"]
    result = ecsimg_main("api", "ModifyImageAttribute", "--ImageId", image_id, "--Description", "x",
                    env={"ECSIMG_PROFILE": "audit"})
    assert result.status == 1
    assert result.error()["Code"] == "Forbidden.ReadOnly"


def test_api_help_lists_every_action_with_its_summary(ecsimg: Runner) -> None:
    result = ecsimg("api", "--help")
    assert result.status == 0 and result.err == ""
    for name in ("DescribeImages", "ModifyImageSharePermission", "CopyImage", "DescribePrice"):
        line = next(line for line in result.out.splitlines() if line.split()[:1] == [name])
        assert len(line.split()) > 1, line


def test_action_help_lists_its_parameters(ecsimg_main: Runner) -> None:
    result = ecsimg_main("api", "ModifyImageSharePermission", "--help")
    assert result.status == 0
    assert "--AddAccount.N" in result.out and "--ImageId" in result.out
    assert "required" in result.out
