"""The cloud backend: the Backend protocol over a real account, with the store as its cache.

Reads come from the cache through the simulator's own read models, so the list, the details
and the fees look the same as in the demo. ``call`` sends the real call and then updates the
cache from what the answer says (describing again what the answer does not carry);
``check`` runs the local rules over the cache, then the real API's DryRun.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecsimg.cloud import cache, tasks
from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.client import ClientSettings, EcsClient
from ecsimg.cloud.errors import CloudError, CredentialsError, Unreachable
from ecsimg.cloud.session import CloudTarget, open_client, resolve_target
from ecsimg.cloud.sync import Progress, SyncResult, run_sync
from ecsimg.domain.costs import CostReport
from ecsimg.domain.errors import ApiError, DryRunOperation, read_only_refused
from ecsimg.domain.fees import FeePreview
from ecsimg.domain.models import Event, Image, PriceBook
from ecsimg.service.backend import (
    Backend,
    Buckets,
    Limits,
    PlannedCall,
    ProfileInfo,
    Session,
    UnknownProfile,
)
from ecsimg.service.machinery import door
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.registry import ACTIONS
from ecsimg.service.reads.browse import ImageDetails, SnapshotSizes
from ecsimg.service.reads.image_rows import ImageRow, RegionRows
from ecsimg.service.reads.tasks import TaskRow
from ecsimg.service.reads.versions import Fingerprint
from ecsimg.service.simulator import LIMITS, SimulatorBackend
from ecsimg.store.tinystore import TinyRepository

DEFAULT_LOCATION = "Alibaba Cloud"
"""The session's location when calls go to the SDK's own endpoints."""
ACCOUNT_NAME = "cloud"
"""The cache's account record's name: the API tells the UID, not a name."""
TAG_RESOURCE_PREFIX = "ResourceId."
PRICE_ACTION = "DescribePrice"
TASK_ACTIONS = frozenset({"CreateImage", "CopyImage", "ImportImage"})
"""Actions whose image is made by a task: it is described again until the task ends."""
OSS_ACTIONS = frozenset({"ImportImage", "ExportImage"})
"""Actions the local rules cannot check: their buckets and objects are in OSS, which the cache
does not hold, so the real DryRun alone checks them."""
FOLLOW_SECONDS = 10.0
FOLLOW_LIMIT_SECONDS = 4 * 3600.0


@dataclass
class Link:
    """Whether the endpoint answered the last call; shared by a session's backends."""

    offline_reason: str | None = None
    """None while the endpoint answers; else the one line that says why it cannot be reached."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    prices: dict[tuple[tuple[str, str], ...], dict[str, Any]] = field(default_factory=dict)
    """DescribePrice answers by question (its parameters), for the session: a fee dialog asks
    again on every keystroke, and a price does not change within a session."""
    board: tasks.TaskBoard = field(default_factory=tasks.TaskBoard)
    """What the session learned of its tasks (followed exports, progress asked)."""

    def answered(self) -> None:
        with self.lock:
            self.offline_reason = None

    def lost(self, err: Unreachable) -> None:
        with self.lock:
            self.offline_reason = str(err)

    @property
    def offline(self) -> bool:
        return self.offline_reason is not None


class CloudBackend:
    """A real account through ``client``, its cache on ``ctx.repo``."""

    def __init__(self, target: CloudTarget, client: EcsClient, ctx: Context, *,
                 link: Link | None = None, sizes: SnapshotSizes | None = None,
                 unreachable_as_api_error: bool = False) -> None:
        self.target = target
        self.client = client
        self.ctx = ctx
        self.link = link or Link()
        self.unreachable_as_api_error = unreachable_as_api_error
        """For the TUI, whose dialogs show an ApiError's code and message: an unreachable
        endpoint is raised from ``call`` as the ApiError ``Unreachable``."""
        self.follow_seconds = FOLLOW_SECONDS
        """How often an image being made by a task is described again."""
        self._local = SimulatorBackend(ctx, sizes)

    # -- who and where ---------------------------------------------------------------------

    @property
    def session(self) -> Session:
        endpoint = self.target.endpoint
        return Session(self.ctx.profile.name, self.ctx.account_id, ACCOUNT_NAME,
                       self.ctx.region_id, self.ctx.is_read_only,
                       endpoint.url if endpoint is not None else DEFAULT_LOCATION,
                       cloud=True, offline_reason=self.link.offline_reason or "",
                       last_sync=self.last_sync())

    @property
    def limits(self) -> Limits:
        return LIMITS

    @property
    def endpoint_url(self) -> str | None:
        """The ``--endpoint`` URL, or None for the SDK's own endpoints."""
        return self.target.endpoint.url if self.target.endpoint is not None else None

    def last_sync(self) -> float | None:
        return cache.last_sync(self.ctx.repo)

    def now(self) -> float:
        return self.ctx.now()

    # -- calls -----------------------------------------------------------------------------

    def call(self, action: str, params: Mapping[str, str], payload: Any = None
             ) -> dict[str, Any]:
        """The real call; the cache then takes what the answer tells it."""
        act = door.lookup(action)
        if act.name not in ACTIONS:
            # ecsimg's own writes (load, market buy) act on a demo catalogue, not an account.
            raise CloudError(f"{action.removeprefix('ecsimg:')} works on the demo catalogue, "
                             "not in cloud mode")
        sent = dict(params)
        takes_region = any(p.name == "RegionId" for p in act.params)
        if takes_region and not sent.get("RegionId"):
            sent["RegionId"] = self.ctx.region_id
        dry_run = sent.get("DryRun", "").strip().lower() == "true"
        if act.mutating and self.ctx.is_read_only:
            raise read_only_refused(self.ctx.profile.name, act.name)
        question = tuple(sorted(sent.items()))
        if action == PRICE_ACTION and question in self.link.prices:
            return dict(self.link.prices[question])
        try:
            body = self._invoke(action, sent)
        except ApiError as err:
            if act.mutating and not dry_run and not isinstance(err, DryRunOperation):
                self._log(action, sent, err.code, getattr(err, "request_id", ""))
            raise
        except Unreachable as err:
            if act.mutating and not dry_run and err.may_have_arrived:
                self._log(action, sent, "AnswerLost", "")
            if self.unreachable_as_api_error:
                raise ApiError("Unreachable", str(err), 503) from None
            raise
        if act.mutating:
            self._log(action, sent, "Success", str(body.get("RequestId", "")), body)
        if action == PRICE_ACTION:
            with self.link.lock:
                self.link.prices[question] = dict(body)
        self._absorb(action, sent, body)
        return body

    def check(self, calls: Sequence[PlannedCall]) -> None:
        """The local rules over the cache, then the real DryRun of each call that has one."""
        local = [(i, c) for i, c in enumerate(calls) if c[0] not in OSS_ACTIONS]
        try:
            door.check(self.ctx, [call for _, call in local])
        except ApiError as err:
            if err.call_index is not None:
                err.call_index = local[err.call_index][0]
            raise
        for index, (action, params) in enumerate(calls):
            act = door.lookup(action)
            if not any(p.name == "DryRun" for p in act.params):
                continue
            sent = {**params, "DryRun": "true"}
            if not sent.get("RegionId"):
                sent["RegionId"] = self.ctx.region_id
            try:
                self._invoke(action, sent)
            except DryRunOperation:
                continue
            except ApiError as err:
                err.call_index = index
                raise
            except Unreachable:
                return  # offline: the local rules are all there is to check against

    def _invoke(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        try:
            body = self.client.invoke(action, params)
        except Unreachable as err:
            self.link.lost(err)
            raise
        except ApiError:
            self.link.answered()
            raise
        self.link.answered()
        return body

    def _log(self, action: str, params: Mapping[str, str], code: str, request_id: str,
             body: Mapping[str, Any] | None = None) -> None:
        touched = {v for k, v in params.items() if k in ("ImageId", "InstanceId", "SnapshotId")}
        if body:
            touched.update(str(body[k]) for k in ("ImageId", "SnapshotId", "TaskId")
                           if isinstance(body.get(k), str) and body[k])
        event = door.make_event(self.ctx, action, params, code, request_id, touched)
        cache.record_event(self.ctx, event)

    # -- the cache follows -----------------------------------------------------------------

    def _absorb(self, action: str, sent: Mapping[str, str], body: dict[str, Any]) -> None:
        """Update the cache from a successful answer; a failure here leaves it for a sync."""
        try:
            if action == "DescribeImages":
                cache.put_images(self.ctx, [body])
            elif action == "DescribeImageSharePermission" and sent.get("ImageId"):
                cache.put_shares(self.ctx, sent.get("RegionId", ""), sent["ImageId"], [body])
            elif action == "DeleteImage" and sent.get("ImageId"):
                cache.delete_image(self.ctx, sent.get("RegionId", ""), sent["ImageId"])
            elif door.lookup(action).mutating and sent.get("DryRun", "").lower() != "true":
                task_id = body.get("TaskId") or body.get("ExportTaskId")  # the older name
                if action in tasks.TASK_ONLY_ACTIONS and isinstance(task_id, str) and task_id:
                    self.follow_task(sent.get("RegionId", ""), task_id, sent.get("ImageId", ""))
                for region_id, image_id in touched_images(action, sent, body):
                    pending = self.redescribe_image(region_id, image_id)
                    if pending and action in TASK_ACTIONS:
                        self.follow(region_id, image_id)
        except (ApiError, CloudError):
            pass

    def follow(self, region_id: str, image_id: str) -> threading.Thread:
        """Describe the image again in the background until its task ends (or a bound), so
        the cache shows it made; the process may end first (a CLI call), which is fine."""
        def run() -> None:
            deadline = time.monotonic() + FOLLOW_LIMIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(self.follow_seconds)
                try:
                    if not self.redescribe_image(region_id, image_id):
                        return
                except (ApiError, CloudError):
                    continue  # offline or throttled for now: try again at the next tick

        follower = threading.Thread(target=run, daemon=True, name=f"ecsimg-follow-{image_id}")
        follower.start()
        return follower

    def follow_task(self, region_id: str, task_id: str, resource_id: str) -> threading.Thread:
        """Describe a task that makes no image (an export) every ``follow_seconds`` until it
        ends, so the tasks view and the watchers learn its progress and its end."""
        return tasks.follow_task(self._invoke, self.link.board, region_id, task_id,
                                 resource_id, lambda: self.follow_seconds,
                                 FOLLOW_LIMIT_SECONDS)

    def redescribe_image(self, region_id: str, image_id: str) -> bool:
        """Describe one image (and its shares, if it is the account's) into the cache; True
        while a task is still making it."""
        params = {"RegionId": region_id, "ImageId": image_id,
                  "Status": plan.ALL_IMAGE_STATUSES, "ShowExpired": "true"}
        described = self._invoke("DescribeImages", params)
        cache.put_images(self.ctx, [described], replace_ids=[image_id], region_id=region_id)
        owned = [i for i in described.get("Images", {}).get("Image", [])
                 if isinstance(i, dict) and i.get("ImageOwnerAlias") == "self"]
        if owned:
            listing = plan.share_listings(region_id, [image_id])[0]
            shares = self._invoke(listing.action, listing.first_page())
            cache.put_shares(self.ctx, region_id, image_id, [shares])
        return cache.is_pending(described, image_id)

    def sync(self, regions: Sequence[str] = (), *, workers: int = 8,
             progress: Callable[[Progress], None] | None = None
             ) -> tuple[SyncResult, dict[str, int]]:
        """Read the account (all regions, or ``regions``) and replace those regions' cache."""
        early = cache.EarlyParser(self.ctx)
        result = run_sync(self._invoke, regions=regions, workers=workers, progress=progress,
                          on_listing=early)
        counts = cache.store_sync(self.ctx, result, early.parsed)
        return result, counts

    # -- read models: the cache, through the simulator's functions --------------------------

    def images(self, *, refresh: bool = False,
               on_partial: Callable[[RegionRows, float], None] | None = None) -> RegionRows:
        """The cached images; ``refresh`` first syncs the region in view from the account
        (offline, or on an API error, the cache is shown as it is)."""
        if refresh:
            # The link says why when it is the network; the cache stays in view either way.
            with contextlib.suppress(ApiError, CloudError):
                self.sync([self.ctx.region_id])
        return self._local.images(refresh=refresh, on_partial=on_partial)

    def all_region_images(
        self, *, refresh: bool = False,
        on_partial: Callable[[RegionRows, float], None] | None = None,
    ) -> RegionRows:
        """The cached images of every region; ``refresh`` first syncs every region (offline,
        or on an API error, the cache is shown as it is)."""
        if refresh:
            with contextlib.suppress(ApiError, CloudError):
                self.sync()
        return self._local.all_region_images(refresh=refresh, on_partial=on_partial)

    def row_of(self, row: ImageRow) -> ImageRow | None:
        return self._local.row_of(row)

    def cost_report(self) -> CostReport:
        """From the cache: the account's images and snapshots as last synced."""
        return self._local.cost_report()

    def image_records(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """From the cache, in the shape DescribeImages returned them."""
        return self._local.image_records(keys)

    def details(self, row: ImageRow, *, full: bool = False) -> ImageDetails:
        return self._local.details(row, full=full)

    def tasks(self, task_ids: Sequence[str] | None = None) -> list[TaskRow]:
        """The account's tasks in the region in view, from the real DescribeTasks (the API
        lists tasks per region) with the progress DescribeTaskAttribute tells; offline, or
        on an API error, the tasks this session learned of and the cache's."""
        try:
            return tasks.list_tasks(self._invoke, self.link.board, self.ctx.region_id, task_ids)
        except (ApiError, CloudError):
            learned = self.link.board.known(self.ctx.region_id, task_ids)
            ids = {row.task_id for row in learned}
            return learned + [r for r in self._local.tasks(task_ids) if r.task_id not in ids]

    def fingerprints(self, keys: Sequence[str]) -> dict[str, Fingerprint | None]:
        return self._local.fingerprints(keys)

    def fee_preview(self, image: Image, instance_type: str, count: int, period: int,
                    price_unit: str) -> FeePreview:
        return self._local.fee_preview(image, instance_type, count, period, price_unit)

    def holding_costs(self) -> dict[str, float | None]:
        return self._local.holding_costs()

    def price_book(self) -> PriceBook:
        """The user's book from the config file (held in the cache), else an empty one."""
        return self._local.price_book()

    def regions(self) -> list[tuple[str, str]]:
        return self._local.regions()

    def profiles(self) -> list[ProfileInfo]:
        return self._local.profiles()

    def events(self, limit: int) -> list[Event]:
        return self._local.events(limit)

    def buckets(self, region_id: str) -> Buckets:
        """OSS is not listed in cloud mode: an object is typed in by name."""
        return Buckets(f"OSS of {self.target.describe()} (not listed; type bucket and object)")

    def in_region(self, region_id: str) -> Backend:
        ctx = dataclasses.replace(
            self.ctx, profile=dataclasses.replace(self.ctx.profile, region_id=region_id))
        return CloudBackend(self.target, self.client, ctx, link=self.link,
                            unreachable_as_api_error=self.unreachable_as_api_error)

    def for_profile(self, name: str) -> Backend:
        if name == self.ctx.profile.name:
            return self
        raise UnknownProfile(name, [self.ctx.profile.name], "cloud mode (one account)")


def touched_images(action: str, sent: Mapping[str, str], body: Mapping[str, Any]
                   ) -> list[tuple[str, str]]:
    """(region, image ID) of each image a successful mutation created or changed."""
    region_id = sent.get("RegionId", "")
    found: list[tuple[str, str]] = []
    if action == "CopyImage":
        target = sent.get("DestinationRegionId", "")
        if isinstance(body.get("ImageId"), str) and target:
            found.append((target, body["ImageId"]))
        return found
    for value in (sent.get("ImageId"), body.get("ImageId")):
        if isinstance(value, str) and value:
            found.append((region_id, value))
    if sent.get("ResourceType", "").lower() == "image":
        found.extend((region_id, v) for k, v in sent.items() if k.startswith(TAG_RESOURCE_PREFIX))
    return list(dict.fromkeys(found))


def open_cloud(name: str, endpoint_flag: str | None = None, *, read_only: bool = False,
               settings: ClientSettings | None = None, for_screen: bool = False,
               price_books: Mapping[str, PriceBook] | None = None) -> CloudBackend:
    """The account of ``--cloud NAME`` on its cache; the UID is asked of STS the first time.

    Later opens use the cached identity and send nothing, so the cache opens at once and
    offline too. ``price_books`` (the config file's, by profile name) gives the cache the
    user's book for this profile, or none.
    """
    target = resolve_target(name, endpoint_flag)
    repo = TinyRepository(target.cache_path)
    client = open_client(target, settings)
    source = target.source
    profile = cache.identity(repo, source.name)
    if profile is None:
        try:
            identity = client.caller_identity()
        except ApiError as err:
            raise CredentialsError(f"cannot learn the account of {target.describe()}: STS "
                                   f"GetCallerIdentity failed: {err.code}: {err.message}"
                                   ) from None
        profile = cache.remember_identity(repo, source.name, str(identity["AccountId"]),
                                          source.region_id, ACCOUNT_NAME)
    cache.settle_account(repo, profile.account_id, (price_books or {}).get(source.name))
    ctx = Context(repo=repo, profile=profile, read_only=read_only)
    return CloudBackend(target, client, ctx, unreachable_as_api_error=for_screen)

