"""`ecsimg api` takes the official SDK's parameter names and lists the unmodelled ones."""

from __future__ import annotations

from tests.cli.runner import Runner


def test_run_instances_takes_sdk_names_the_simulator_ignores(ecsimg: Runner) -> None:
    images = ecsimg("api", "DescribeImages", "--ImageOwnerAlias", "system", "--PageSize", "1")
    image_id = images.json()["Images"]["Image"][0]["ImageId"]
    result = ecsimg(
        "api", "RunInstances", "--ImageId", image_id, "--InstanceType", "ecs.g7.large",
        "--SecurityGroupIds.1", "sg-bp1", "--SecurityGroupIds.2", "sg-bp2",
        "--NetworkInterface.1.SecurityGroupIds.1", "sg-bp3", "--UserData", "ZWNobyBoaQ==",
        "--SystemDisk.PerformanceLevel", "PL1", "--CpuOptions.ThreadsPerCore", "2",
        "--PrivateDnsNameOptions.HostnameType", "IpBased", "--SpotStrategy", "NoSpot",
    )
    assert result.status == 0, result.err
    [instance_id] = result.json()["InstanceIdSets"]["InstanceIdSet"]
    described = ecsimg("api", "DescribeInstances", "--InstanceIds", f'["{instance_id}"]')
    assert described.json()["TotalCount"] == 1


def test_describe_calls_take_sdk_names(ecsimg: Runner) -> None:
    for args in (
        ("DescribeInstances", "--VpcId", "vpc-1", "--AdditionalAttributes.1", "META_OPTIONS"),
        ("DescribeDisks", "--EnableShared", "false", "--AdditionalAttributes.1", "Performance"),
        ("DescribeSnapshots", "--SnapshotLinkId", "sl-1", "--KMSKeyId", "key-1"),
        ("DescribePrice", "--InstanceType", "ecs.g7.large", "--SpotStrategy", "NoSpot",
         "--RecurrenceRules.1.StartHour", "4", "--InstanceTypeList.1", "ecs.g7.large"),
    ):
        result = ecsimg("api", *args)
        assert result.status == 0, (args, result.err)


def test_an_unknown_name_is_still_a_usage_error(ecsimg: Runner) -> None:
    for bad in ("--SecurityGroupIds.0", "--DataDisk.1.Bogus", "--NotAParameter"):
        result = ecsimg("api", "RunInstances", bad, "x")
        line = result.usage_line()
        assert "RunInstances does not take the parameter" in line, line


def test_action_help_lists_accepted_and_ignored_names(ecsimg: Runner) -> None:
    result = ecsimg("api", "RunInstances", "--help")
    assert result.status == 0 and result.err == ""
    head, _, ignored = result.out.partition("accepted and ignored")
    assert ignored, result.out
    for name in ("--UserData", "--SecurityGroupIds.N", "--NetworkInterface.N.SecurityGroupIds.N",
                 "--SpotStrategy"):
        assert name in ignored.split() and name not in head.split()
    for modelled in ("--DataDisk.N.Size", "--Tag.N.Key", "--SystemDisk.Category", "--ImageId"):
        assert modelled in head.split() and modelled not in ignored.split()
    assert all(len(line) <= 100 for line in ignored.splitlines())


def test_help_of_a_fully_modelled_action_has_no_ignored_section(ecsimg: Runner) -> None:
    result = ecsimg("api", "CancelCopyImage", "--help")
    assert result.status == 0
    assert "accepted and ignored" not in result.out
