"""A cloud account for tests: a real ``ecsimg serve``; a HOME whose aliyun config has its keys."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecsimg.store import tables
from ecsimg.store.tinystore import TinyRepository
from tests.cli.runner import Result, run_ecsimg
from tests.cloud.conftest import ak_profile, write_config
from tests.server.harness import Keys, Served, clear_proxies, profile_keys, start_server

ALL_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"
OWNER_ALIASES = ("self", "others", "system", "marketplace")


def keyed_catalogue(folder: Path) -> tuple[Path, Keys]:
    """A demo catalogue made by the real command, and the keys of its default profile."""
    db = folder / "catalogue"
    keys = profile_keys(db, "default")
    return db, keys


def copy_catalogue(template: Path, folder: Path) -> Path:
    db = folder / "catalogue"
    shutil.copytree(template, db, ignore=shutil.ignore_patterns(".lock"))
    return db


@dataclass
class Account:
    """The served catalogue, the HOME whose config.json points at its keys, and the data dir."""

    served: Served
    home: Path
    data: Path
    profile: str = "default"

    @property
    def url(self) -> str:
        return f"http://{self.served.endpoint}"

    def cloud(self, *args: str, endpoint: str | None = None,
              profile: str | None = None) -> Result:
        """``ecsimg --cloud PROFILE --endpoint URL ARGS`` as the operator would type it."""
        return run_ecsimg("--cloud", profile or self.profile, "--endpoint", endpoint or self.url,
                          *args, db=self.data / "unused-demo", env=self.env())

    def env(self) -> dict[str, str]:
        return clear_proxies({"HOME": str(self.home), "XDG_DATA_HOME": str(self.data)})

    def served_api(self, *args: str) -> Any:
        """The served catalogue's own ``ecsimg api``, as its owner sees it."""
        result = run_ecsimg("api", *args, db=self.served.db)
        assert result.status == 0, result.err
        return json.loads(result.out)

    def cache_folder(self) -> Path:
        folders = sorted((self.data / "ecsimg" / "cloud").iterdir())
        matching = [f for f in folders if f.name.endswith(self.served.endpoint.replace(":", "-"))
                    and f.name.startswith(f"{self.profile}@")]
        assert len(matching) == 1, folders
        return matching[0]

    def cached_images(self, region_id: str) -> dict[str, Any]:
        """The images the cache holds in ``region_id``, by ImageId."""
        repo = TinyRepository(self.cache_folder())
        try:
            with repo.read() as view:
                return {i.image_id: i for i in view.group(tables.IMAGES, region_id)}
        finally:
            repo.close()


def served_image_ids(account: Account, region_id: str) -> set[str]:
    """Every image the served catalogue's owner sees in a region, of every owner alias."""
    found: set[str] = set()
    for alias in OWNER_ALIASES:
        page = 1
        while True:
            body = account.served_api("DescribeImages", "--RegionId", region_id,
                                      "--ImageOwnerAlias", alias, "--Status", ALL_STATUSES,
                                      "--PageSize", "100", "--PageNumber", str(page))
            found.update(i["ImageId"] for i in body["Images"]["Image"])
            if page * 100 >= body["TotalCount"]:
                break
            page += 1
    return found


def open_account(db: Path, keys: Keys, folder: Path, *, serve_args: tuple[str, ...] = (),
                 profile: dict[str, Any] | None = None,
                 serve_env: dict[str, str] | None = None) -> Account:
    """Serve ``db`` and write a HOME whose aliyun config holds ``keys`` (or ``profile``)."""
    served = start_server(db, serve_args=serve_args, env=serve_env)
    home = folder / "home"
    home.mkdir(exist_ok=True)
    write_config(home, [profile or ak_profile("default", access_key_id=keys.access_key_id,
                                               access_key_secret=keys.secret)])
    return Account(served, home, folder / "data")
