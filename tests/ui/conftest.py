from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecsimg import service
from ecsimg.domain import models as m
from ecsimg.store import tables
from ecsimg.store.demo.seed import seed_catalogue
from ecsimg.store.tinystore import TinyRepository
from tests.world import DEV, OPS, T0, FakeClock, World

EVIL_NAME = "[bold red]boom[/] \x1b[31mred\u202e"
CJK_NAME = "中文镜像名称测试很长的名字"


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> service.Context:
    """The demo catalogue (every task done), read as the default profile."""
    repo = TinyRepository(Path(tmp_path_factory.mktemp("demo")) / "catalogue")
    seed_catalogue(repo, random_seed=0, now=T0, task_seconds_per_gib=0)
    with repo.read() as view:
        profile = view.get(tables.PROFILES, "default")
    assert profile is not None
    return service.Context(repo, profile, clock=FakeClock())


@pytest.fixture(scope="session")
def ui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue folder, built once: copying it is much faster than building it."""
    root = tmp_path_factory.mktemp("ui-template")
    build(World(root))
    return root / "catalogue"


@pytest.fixture
def ui_world(tmp_path: Path, ui_template: Path) -> World:
    """A fresh copy of a small catalogue with every tab, a busy image and hostile names."""
    shutil.copytree(ui_template, tmp_path / "catalogue")
    return World(tmp_path)


def build(world: World) -> None:
    world.public_image()
    world.public_image(os_type="windows", size=40,
                       image_id="win2022_21H2_x64_dtc_zh-cn_40G_alibase_20250101.vhd")
    world.marketplace_image()
    for n in range(30):
        world.image(image_name=f"web-{n:03d}", image_family="web" if n % 2 else "db",
                    size=20 + n, tags=(m.Tag("env", "prod" if n % 3 else "dev"),),
                    creation_time=f"2025-06-{1 + n % 28:02d}T00:00:00Z")
    world.image(image_name=EVIL_NAME, description="evil\x1b]52;c;AAAA\x07",
                creation_time="2025-07-01T00:00:00Z")
    world.image(image_name=CJK_NAME, architecture="arm64", creation_time="2025-07-02T00:00:00Z")
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 60,
                creation_time="2025-07-03T00:00:00Z")
    world.image(owner=DEV, image_name="dev-shared",
                shares=(m.SharePermission(OPS, "2025-06-02T00:00:00Z"),))
    world.image(owner=DEV, image_name="dev-community", is_public=True)
    world.image(owner=DEV, image_name="dev-private")
