"""Hypothesis strategies for request parameters: names from each action's spec, values from the
catalogue's real IDs and from a collection of inputs known to break parsers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from hypothesis import strategies as st

from ecsimg.domain.regions import REGIONS
from ecsimg.service.machinery.params import MAX_VALUE_LENGTH, Param
from ecsimg.service.machinery.registry import Action
from ecsimg.store import tables
from ecsimg.store.demo import base
from tests.fuzz.catalogue import FuzzCatalogue

MAX_INDEX = 25
PROFILE_REGIONS = ("cn-hangzhou", "cn-shanghai", "ap-southeast-1")

CONTROL = ("\x00", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "a\rb", "a\nb", "\t", "\x7f",
           "\x08\x08", "\x1b[2J\x1b[H")
UNICODE = ("镜像", "测试镜像-01", "イメージ", "이미지", "\u202eevil\u202c", "\u2066x\u2069",
           "a\u200bb", "\u200d", "\ufeffBOM", "e\u0301", "𝕏𝕏", "🙂", "ℌ", "\u00a0", "\u3000",
           "Ａｂｃ", "\udcff", "\ud800", "ǅ")
NUMBERS = ("0", "-1", "1", "+5", " 40 ", "40.0", "1.5", "-0", "1e3", "1e309", "nan", "inf",
           "-inf", "0x10", "1_000", "٤٠", "４０", "²", "99999999999999999999999",
           "9" * 400, "-9223372036854775809", "18446744073709551616", "", " ")
BOOLS = ("true", "false", "True", "False", "TRUE", "yes", "no", "1", "0", "on", " true ",
         "tru", "ｔｒｕｅ")
SHAPES = ("", " ", "null", "None", "[]", "{}", "[1]", '["a"', '[""]', '{"a": 1}', "'; DROP",
          "../../etc/passwd", "/", "\\", "%s%n", "{0}", "${HOME}", "[b]bold[/b]", "[red]",
          "http://x.example", "aliyun-x", "acs:ecs", "m-", "i-", "d-", "s-", "t-")


@dataclass
class IdPool:
    """Real identifiers of the catalogue, everyone's, plus IDs that once existed."""

    images: list[str] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)
    disks: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=lambda: [
        base.OPS, base.DEV, base.PARTNER, *base.DIRECTORY_ACCOUNT_IDS])
    regions: list[str] = field(default_factory=lambda: [r.region_id for r in REGIONS])
    instance_types: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, cat: FuzzCatalogue, gone: list[str] | None = None) -> IdPool:
        images = cat.records(tables.IMAGES)
        return cls(
            images=sorted({i.image_id for i in images}),
            snapshots=[s.snapshot_id for s in cat.records(tables.SNAPSHOTS)],
            disks=[d.disk_id for d in cat.records(tables.DISKS)],
            instances=[i.instance_id for i in cat.records(tables.INSTANCES)],
            tasks=[t.task_id for t in cat.records(tables.TASKS)],
            gone=list(gone or []),
            instance_types=[t.instance_type_id for t in cat.records(tables.INSTANCE_TYPES)],
            families=sorted({i.image_family for i in images if i.image_family}),
        )


def huge() -> st.SearchStrategy[str]:
    """Strings around and above the parameter length limit, in several scripts."""
    return st.builds(
        lambda unit, length: (unit * (length // len(unit) + 1))[:length],
        st.sampled_from(["A", "镜", "\u202e", "\x00", "é", "1"]),
        st.sampled_from([129, 257, 4096, MAX_VALUE_LENGTH - 1, MAX_VALUE_LENGTH,
                         MAX_VALUE_LENGTH + 1, 70_000]),
    )


def junk() -> st.SearchStrategy[str]:
    """A value of the wrong kind, shape or size for almost any parameter."""
    return st.one_of(
        st.sampled_from(CONTROL + UNICODE + NUMBERS + BOOLS + SHAPES),
        # Undecodable command-line bytes, as Python hands them over (surrogateescape).
        st.sampled_from(["\udcff", "m-\udc80", "\ud800x"]),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        huge(),
    )


def _ids(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values) if values else st.just("")


def _mangled(real: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A real ID made wrong in the ways callers get IDs wrong."""
    return st.one_of(
        real.map(str.upper), real.map(lambda v: f" {v} "), real.map(lambda v: v + "\x00"),
        real.map(lambda v: v[:-1]), real.map(lambda v: v + "\u200b"),
    )


def _json_ids(real: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(real, max_size=5).map(json.dumps),
        st.lists(st.one_of(real, junk()), max_size=3).map(json.dumps),
        st.lists(st.integers(), max_size=3).map(json.dumps),
        junk(),
    )


def plausible(name: str, kind: type, pool: IdPool) -> st.SearchStrategy[str]:
    """A value of the kind the parameter takes, often a real ID of someone's record."""
    leaf = name.rsplit(".", 1)[-1]
    if kind is bool:
        return st.sampled_from(BOOLS)
    if kind in (int, float):
        return st.one_of(st.integers(-5, 3000).map(str), st.sampled_from(NUMBERS))
    if leaf in ("RegionId", "DestinationRegionId"):
        # Mostly the profiles' regions, where the demo's records are.
        return st.one_of(st.sampled_from(PROFILE_REGIONS), _ids(pool.regions))
    by_leaf = {
        "ImageId": pool.images + pool.gone, "SnapshotId": pool.snapshots + pool.gone,
        "DiskId": pool.disks + pool.gone, "InstanceId": pool.instances + pool.gone,
        "TaskId": pool.tasks, "InstanceType": pool.instance_types,
        "ImageFamily": pool.families,
    }
    if leaf in by_leaf:
        real = _ids(by_leaf[leaf])
        return st.one_of(real, real, _mangled(real), st.sampled_from(["m-0000000000000000000",
                                                                      "i-unknown", "d-x"]))
    if name.startswith(("AddAccount", "RemoveAccount")):
        real = _ids(pool.accounts)
        return st.one_of(real, real, _mangled(real),
                         st.sampled_from(["0000000000000000", "123", "6000000000000999"]))
    listed = {"InstanceIds": pool.instances, "DiskIds": pool.disks,
              "SnapshotIds": pool.snapshots, "TaskIds": pool.tasks}
    if leaf in listed:
        real = _ids(listed[leaf])
        if leaf == "TaskIds":
            return st.lists(real, max_size=4).map(",".join)
        return _json_ids(real)
    if leaf in ("ImageName", "DestinationImageName", "SnapshotName", "InstanceName"):
        return st.one_of(st.from_regex(r"[a-zA-Z镜][a-zA-Z0-9._:-]{1,20}", fullmatch=True),
                         st.sampled_from(["aliyun-x", "http://x", "a"]))
    if leaf == "Category":
        return st.sampled_from(["cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd",
                                "cloud_auto", "cloud_essd_entry", "all", "floppy", ""])
    if leaf == "PerformanceLevel":
        return st.sampled_from(["PL0", "PL1", "PL2", "PL3", "PL9", ""])
    if leaf == "PrivateIpAddresses":
        return _json_ids(st.sampled_from(["172.16.0.1", "10.0.0.1"]))
    if leaf == "NextToken":
        # Tokens of real shape (base64 of "time\nid") and broken ones.
        return st.sampled_from(["MjAyNS0wNi0wMVQwMDowMDowMFoKaS14", "MjAyNQ", "=", "!!", ""])
    if leaf in ("OSSBucket",):
        return st.sampled_from(["images", "exports", "no-such-bucket", "A", ""])
    return st.one_of(st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,12}", fullmatch=True),
                     st.sampled_from(SHAPES))


def value(name: str, kind: type, pool: IdPool) -> st.SearchStrategy[str]:
    return st.one_of(plausible(name, kind, pool), plausible(name, kind, pool), junk())


def concrete_names(param: Param) -> st.SearchStrategy[str]:
    """The parameter's name with each ``N`` replaced by an index from 1 to 25."""
    parts = param.name.split(".")
    if "N" not in parts:
        return st.just(param.name)
    indexes = st.lists(st.integers(1, MAX_INDEX), min_size=parts.count("N"),
                       max_size=parts.count("N"))

    def fill(numbers: list[int]) -> str:
        it = iter(numbers)
        return ".".join(str(next(it)) if p == "N" else p for p in parts)

    return indexes.map(fill)


@st.composite
def request_params(draw: st.DrawFn, action: Action, pool: IdPool) -> dict[str, str]:
    """Parameters named as the action declares them, valued plausibly or adversarially."""
    spec = list(action.params)
    modelled = [p for p in spec if not p.ignored]
    # The SDK names the simulator ignores are many; a few per request keep them exercised
    # without crowding out the ones the rules read.
    ignored = [p for p in spec if p.ignored]
    chosen = [p for p in spec if p.required and draw(st.integers(0, 9)) > 0]
    chosen += draw(st.lists(st.sampled_from(modelled), max_size=8))
    if ignored:
        chosen += draw(st.lists(st.sampled_from(ignored), max_size=2))
    # Clean requests reach the rules behind the parameter checks; hostile ones the checks.
    hostility = draw(st.sampled_from(["clean", "clean", "one", "all"]))
    params: dict[str, str] = {}
    for param in chosen:
        repeats = draw(st.integers(1, 4)) if "N" in param.name.split(".") else 1
        for _ in range(repeats):
            name = draw(concrete_names(param))
            wanted = value(name, param.kind, pool) if hostility == "all" else plausible(
                name, param.kind, pool)
            params[name] = draw(wanted)
    if hostility == "one" and params:
        name = draw(st.sampled_from(sorted(params)))
        params[name] = draw(junk())
    return params
