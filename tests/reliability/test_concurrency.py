"""Several sessions on one catalogue: CLI processes at once, the TUI seeing another's change,
and dialogs refusing to overwrite what another session changed since they opened."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import Select

from ecsimg.config import Settings
from ecsimg.domain import models as m
from ecsimg.ui.app import make_app
from ecsimg.ui.widgets.image_list import ImageList
from tests.cli.runner import cli_env, run_ecsimg
from tests.reliability.procs import api_ok, describe_own_images, load_json
from tests.reliability.ui import settle_app
from tests.ui.dialog_host import SIZE, click, fill, open_dialog, screen_text, settle
from tests.world import World

WORKERS = 3
ROUNDS = 6
UIDS = [str(6000000000000001 + n) for n in range(WORKERS * ROUNDS)]

_WORKER = """
import os, sys, time
from ecsimg.cli.main import main
go, worker, own, common, rounds, *uids = sys.argv[1:]
worker, rounds = int(worker), int(rounds)
while not os.path.exists(go):
    time.sleep(0.005)
sys.stdout = open(os.devnull, "w")
for k in range(rounds):
    for argv in (
        ["api", "ModifyImageAttribute", "--ImageId", own, "--ImageName", f"w{worker}-{k}"],
        ["api", "TagResources", "--ResourceType", "image", "--ResourceId.1", common,
         "--Tag.1.Key", f"w{worker}-{k}", "--Tag.1.Value", str(k)],
        ["api", "ModifyImageSharePermission", "--ImageId", own, "--AddAccount.1", uids[k]],
    ):
        if main(argv) != 0:
            sys.exit(f"worker {worker}: {argv} failed")
"""


def test_cli_processes_writing_at_once_lose_no_update(demo_db: Path) -> None:
    images = describe_own_images(demo_db)
    plain = sorted(i for i, image in images.items() if image["IsSelfShared"] == "False" and not any(
        d.get("Encrypted") for d in image["DiskDeviceMappings"]["DiskDeviceMapping"]))
    common = min(images, key=lambda i: len(images[i]["Tags"]["Tag"]))
    own = [i for i in plain if i != common][:WORKERS]
    tags_before = {t["TagKey"] for t in images[common]["Tags"]["Tag"]}
    assert len(own) == WORKERS and len(tags_before) + WORKERS * ROUNDS <= 20
    go = demo_db.parent / "go"
    procs = [subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(go), str(w), own[w], common, str(ROUNDS),
         *UIDS[w * ROUNDS:(w + 1) * ROUNDS]],
        env=cli_env(demo_db), stderr=subprocess.PIPE) for w in range(WORKERS)]
    time.sleep(0.5)  # every worker has started and waits for the same moment
    go.touch()
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * WORKERS, results

    after = describe_own_images(demo_db)
    tags_after = {t["TagKey"]: t["TagValue"] for t in after[common]["Tags"]["Tag"]}
    expected_tags = {f"w{w}-{k}": str(k) for w in range(WORKERS) for k in range(ROUNDS)}
    assert set(tags_after) == tags_before | set(expected_tags)
    assert all(tags_after[key] == value for key, value in expected_tags.items())
    for w, image_id in enumerate(own):
        assert after[image_id]["ImageName"] == f"w{w}-{ROUNDS - 1}"
        shared = load_json(api_ok(demo_db, "DescribeImageSharePermission", "--ImageId", image_id))
        assert {a["AliyunId"] for a in shared["Accounts"]["Account"]} == set(
            UIDS[w * ROUNDS:(w + 1) * ROUNDS])
    print(f"\nconcurrency: {WORKERS} processes, {WORKERS * ROUNDS * 3} writes at once, "
          f"{len(expected_tags)} tags on one image, none lost")


def rename_elsewhere(world: World, image_id: str, name: str) -> None:
    """Another session (the real command, in its own process) renames the image."""
    result = run_ecsimg("api", "ModifyImageAttribute", "--ImageId", image_id,
                        "--ImageName", name, db=world.repo.location)
    assert result.status == 0, result.err


async def test_ctrl_r_shows_a_rename_made_by_another_process(ui_world: World) -> None:
    app = make_app(ui_world.backend(), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_app(pilot)
        rows = app.screen.query_one(ImageList)
        target = next(row for row in rows.rows if row.name == "web-007")
        rename_elsewhere(ui_world, target.image_id, "renamed-elsewhere")
        await pilot.press("ctrl+r")
        await settle_app(pilot)
        names = {row.name for row in rows.rows}
        assert "renamed-elsewhere" in names and "web-007" not in names
        assert any("renamed-elsewhere" in line for line in rows.rendered_lines())


def _refused(text: str) -> bool:
    return ("changed by another session since this dialog opened" in text
            and "reopen it" in text)


async def test_edit_refuses_to_overwrite_a_rename_made_meanwhile(world: World) -> None:
    image = world.image(image_name="web", description="old")
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#edit-name", "mine")
        assert "DryRun passed" in screen_text(pilot)
        rename_elsewhere(world, image.image_id, "theirs")
        await click(pilot, "#apply")
        assert not app.dismissed
        text = screen_text(pilot)
        assert _refused(text) and f"web ({image.image_id}): image name" in text
        assert app.screen.query_one("#apply").disabled
        await pilot.press("escape")
        # Closing reloads the list, so reopening shows the other session's name.
        assert app.dismissed and app.result is not None and app.result.reload
    after = world.get_image(image.image_id)
    assert after is not None and after.image_name == "theirs" and after.description == "old"


async def test_edit_refuses_when_the_image_was_deleted_meanwhile(world: World) -> None:
    image = world.image(image_name="web")
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#edit-status", Select).value = m.DEPRECATED
        await settle(pilot)
        result = run_ecsimg("api", "DeleteImage", "--ImageId", image.image_id,
                            db=world.repo.location)
        assert result.status == 0, result.err
        await click(pilot, "#apply")
        assert not app.dismissed
        text = screen_text(pilot)
        assert _refused(text) and f"({image.image_id}): deleted" in text
    assert world.get_image(image.image_id) is None


async def test_edit_applies_when_only_another_image_changed(world: World) -> None:
    image = world.image(image_name="web")
    other = world.image(image_name="other")
    app = open_dialog(world, "edit", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#edit-name", "mine")
        rename_elsewhere(world, other.image_id, "theirs")
        await click(pilot, "#apply")
        assert app.dismissed
    after = world.get_image(image.image_id)
    assert after is not None and after.image_name == "mine"


async def test_share_refuses_when_the_shares_changed_meanwhile(world: World) -> None:
    image = world.image(image_name="web-base")
    app = open_dialog(world, "share", (image.image_id,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, "#share-add", UIDS[0])
        assert "DryRun passed" in screen_text(pilot)
        result = run_ecsimg("api", "ModifyImageSharePermission", "--ImageId", image.image_id,
                            "--AddAccount.1", UIDS[1], db=world.repo.location)
        assert result.status == 0, result.err
        await click(pilot, "#apply")
        assert not app.dismissed
        text = screen_text(pilot)
        assert _refused(text) and f"web-base ({image.image_id}): shares" in text
    after = world.get_image(image.image_id)
    assert after is not None and [s.account_id for s in after.shares] == [UIDS[1]]
