"""Copy, new image, import, export and edit dialogs: fields to calls, errors inline, apply."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, RadioButton, Select, SelectionList

from ecsimg.domain import models as m
from ecsimg.store import tables
from tests.ui.dialog_host import SIZE, click, fill, open_dialog, screen_text, settle
from tests.world import World


async def test_copy_to_region_validates_and_applies(world: World) -> None:
    image = world.image(image_name="web")
    app = open_dialog(world, "copy", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Pick the destination region." in screen_text(pilot)
        region = app.screen.query_one("#copy-region", Select)
        region.value = "cn-shanghai"
        await fill(pilot, "#copy-name", "web-copy")
        text = screen_text(pilot)
        assert "DryRun passed" in text
        assert ("--DestinationRegionId cn-shanghai --DestinationImageName web-copy") in text
        await click(pilot, "#apply")
        assert app.dismissed
    with world.repo.read() as view:
        copies = [i for i in view.iter_group(tables.IMAGES, "cn-shanghai")]
    assert [c.image_name for c in copies] == ["web-copy"]


async def test_rule_043_copy_deprecated_image_shows_error_inline(world: World) -> None:
    image = world.image(status=m.DEPRECATED)
    app = open_dialog(world, "copy", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#copy-region", Select).value = "cn-beijing"
        app.screen.query_one("#copy-encrypted", Checkbox).value = True
        await settle(pilot)
        text = screen_text(pilot)
        assert "IncorrectImageStatus (400)" in text and "--Encrypted true" in text
        assert app.screen.query_one("#apply").disabled


async def test_new_image_from_instance_creates_it(world: World) -> None:
    inst = world.instance(instance_name="web-1")
    app = open_dialog(world, "new_image")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#new-instance", Select).value = inst.instance_id
        await fill(pilot, "#new-name", "from-web-1")
        await fill(pilot, "#new-tags", "env=prod, team=web")
        text = screen_text(pilot)
        assert "--Tag.1.Key env --Tag.1.Value prod --Tag.2.Key team" in text
        assert "DryRun passed" in text
        await click(pilot, "#apply")
        assert app.dismissed and app.result is not None and app.result.focus_key
    with world.repo.read() as view:
        created = [i for i in view.all(tables.IMAGES) if i.image_name == "from-web-1"]
    assert len(created) == 1 and created[0].source_instance_id == inst.instance_id


async def test_new_image_from_snapshots_lists_system_and_data(world: World) -> None:
    system = world.snapshot(size=40)
    data = world.snapshot(size=100, disk_type="data")
    app = open_dialog(world, "new_image")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#new-from-snapshots", RadioButton).value = True
        await settle(pilot)
        assert "Pick the system disk snapshot." in screen_text(pilot)
        app.screen.query_one("#new-system-snapshot", Select).value = system.snapshot_id
        app.screen.query_one("#new-data-snapshots", SelectionList).select(data.snapshot_id)
        await fill(pilot, "#new-name", "from-snapshots")
        text = screen_text(pilot)
        assert f"--DiskDeviceMapping.2.SnapshotId {data.snapshot_id}" in text
        assert "DryRun passed" in text
        await click(pilot, "#apply")
        assert app.dismissed
    with world.repo.read() as view:
        created = [i for i in view.all(tables.IMAGES) if i.image_name == "from-snapshots"]
    assert [d.disk_type for d in created[0].disk_mappings] == ["system", "data"]


async def test_import_from_bucket_object(world: World) -> None:
    bucket = world.repo.location.parent / "oss" / "cn-hangzhou" / "images"
    bucket.mkdir(parents=True)
    (bucket / "disk.qcow2").write_bytes(b"not an image at all" * 100)
    app = open_dialog(world, "import")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#import-bucket", Select).value = "images"
        await settle(pilot)
        app.screen.query_one("#import-object", Select).value = "disk.qcow2"
        app.screen.query_one("#import-format", Select).value = "QCOW2"
        await settle(pilot)
        text = screen_text(pilot)
        assert ("--DiskDeviceMapping.1.OSSBucket images --DiskDeviceMapping.1.OSSObject "
                "disk.qcow2 --DiskDeviceMapping.1.Format QCOW2") in text
        assert "InvalidImageFormat.Malformed (400)" in text
        assert app.screen.query_one("#apply").disabled


async def test_export_validates_prefix(world: World) -> None:
    image = world.image()
    (world.repo.location.parent / "oss" / "cn-hangzhou" / "backups").mkdir(parents=True)
    app = open_dialog(world, "export", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#export-bucket", Select).value = "backups"
        await fill(pilot, "#export-prefix", "bad/prefix")
        assert "InvalidOSSPrefix.Malformed" in screen_text(pilot)
        await fill(pilot, "#export-prefix", "nightly")
        assert "DryRun passed" in screen_text(pilot)
        await click(pilot, "#apply")
        assert app.dismissed
    assert any((world.repo.location.parent / "oss" / "cn-hangzhou" / "backups").iterdir())


async def test_edit_sends_only_changed_fields_and_deprecates(world: World) -> None:
    image = world.image(image_name="web", description="old")
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "nothing to change" in screen_text(pilot)
        await fill(pilot, "#edit-name", "web-v2")
        app.screen.query_one("#edit-status", Select).value = m.DEPRECATED
        await settle(pilot)
        text = screen_text(pilot)
        assert "--ImageName web-v2 --Status Deprecated" in text and "--Description" not in text
        await click(pilot, "#apply")
        assert app.dismissed
    after = world.get_image(image.image_id)
    assert after is not None and after.image_name == "web-v2" and after.status == m.DEPRECATED


async def test_rule_040_edit_refuses_to_deprecate_a_shared_image_inline(world: World) -> None:
    image = world.image(shares=(m.SharePermission("6000000000000001", "2025-07-01T00:00:00Z"),))
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#edit-status", Select).value = m.DEPRECATED
        await settle(pilot)
        assert "DryRun passed" not in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled
    after = world.get_image(image.image_id)
    assert after is not None and after.status == m.AVAILABLE


async def test_edit_adds_changes_and_removes_tags(world: World) -> None:
    image = world.image(tags=(m.Tag("env", "dev"), m.Tag("team", "web"), m.Tag("old", "")))
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tags = app.screen.query_one("#edit-tags", Input)
        assert tags.value == "env=dev, team=web, old="
        await fill(pilot, "#edit-tags", "env=prod, team=web, owner=ops")
        text = screen_text(pilot)
        assert "+env=prod +owner=ops -old" in text
        assert (f"UntagResources --RegionId cn-hangzhou --ResourceType image --ResourceId.1 "
                f"{image.image_id} --TagKey.1 old") in text
        assert ("--Tag.1.Key env --Tag.1.Value prod --Tag.2.Key owner --Tag.2.Value ops"
                in text)
        assert "ModifyImageAttribute" not in text and "DryRun passed" in text
        await click(pilot, "#apply")
        assert app.dismissed
    after = world.get_image(image.image_id)
    assert after is not None
    assert {t.key: t.value for t in after.tags} == {"env": "prod", "team": "web", "owner": "ops"}


async def test_rule_033_edit_shows_a_bad_tag_key_inline(world: World) -> None:
    image = world.image(tags=(m.Tag("env", "dev"),))
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#edit-tags", "env=dev, acs:owner=me")
        assert "InvalidTagKey.Malformed (400)" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled
    after = world.get_image(image.image_id)
    assert after is not None and [t.key for t in after.tags] == ["env"]


async def test_rule_035_edit_counts_tags_against_the_limit_of_20(world: World) -> None:
    image = world.image(tags=tuple(m.Tag(f"k{n:02d}", "") for n in range(20)))
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        value = app.screen.query_one("#edit-tags", Input).value
        await fill(pilot, "#edit-tags", value + ", one=more")
        assert "QuotaExceed.Tags (403)" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled
        # Removing one and adding one stays at 20: Untag runs first, so Tag has room.
        await fill(pilot, "#edit-tags", value.replace("k00=, ", "") + ", one=more")
        assert "QuotaExceed" not in screen_text(pilot)


async def test_edit_says_only_own_custom_images_can_be_edited(world: World) -> None:
    public = world.public_image()
    app = open_dialog(world, "edit", (public.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Only your own custom images can be edited" in screen_text(pilot)
        assert app.screen.query_one("#apply").disabled


async def test_a_dialog_opens_with_its_first_field_taking_the_keys(world: World) -> None:
    image = world.image(image_name="web")
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        focused = app.screen.focused
        assert focused is not None and focused.id == "edit-name"
        await pilot.press("end", "2")
        await settle(pilot)
        assert "--ImageName web2" in screen_text(pilot)
