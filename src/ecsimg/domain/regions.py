"""The regions ecsimg knows, with their local names and whether they are in mainland China."""

from __future__ import annotations

from ecsimg.domain.models import Region

# (id, local name, mainland). cn-hongkong is outside mainland China, as every non-cn region.
_REGIONS: tuple[tuple[str, str, bool], ...] = (
    ("cn-qingdao", "华北1（青岛）", True),
    ("cn-beijing", "华北2（北京）", True),
    ("cn-zhangjiakou", "华北3（张家口）", True),
    ("cn-huhehaote", "华北5（呼和浩特）", True),
    ("cn-wulanchabu", "华北6（乌兰察布）", True),
    ("cn-hangzhou", "华东1（杭州）", True),
    ("cn-shanghai", "华东2（上海）", True),
    ("cn-nanjing", "华东5（南京-本地地域）", True),
    ("cn-shenzhen", "华南1（深圳）", True),
    ("cn-heyuan", "华南2（河源）", True),
    ("cn-guangzhou", "华南3（广州）", True),
    ("cn-chengdu", "西南1（成都）", True),
    ("cn-hongkong", "中国香港", False),
    ("ap-northeast-1", "日本（东京）", False),
    ("ap-northeast-2", "韩国（首尔）", False),
    ("ap-southeast-1", "新加坡", False),
    ("ap-southeast-3", "马来西亚（吉隆坡）", False),
    ("ap-southeast-5", "印度尼西亚（雅加达）", False),
    ("ap-southeast-6", "菲律宾（马尼拉）", False),
    ("ap-southeast-7", "泰国（曼谷）", False),
    ("us-east-1", "美国（弗吉尼亚）", False),
    ("us-west-1", "美国（硅谷）", False),
    ("eu-west-1", "英国（伦敦）", False),
    ("eu-central-1", "德国（法兰克福）", False),
    ("me-east-1", "阿联酋（迪拜）", False),
    ("me-central-1", "沙特（利雅得）", False),
)

_SDK_ENDPOINTS = {"cn-hangzhou": "ecs-cn-hangzhou.aliyuncs.com"}
"""The official SDK's own endpoint map, for the regions listed here; the rest follow its rule."""


def endpoint(region_id: str) -> str:
    """The ECS endpoint the official SDK uses for ``region_id``."""
    return _SDK_ENDPOINTS.get(region_id, f"ecs.{region_id}.aliyuncs.com")


REGIONS: tuple[Region, ...] = tuple(
    Region(region_id, name, mainland, endpoint(region_id))
    for region_id, name, mainland in _REGIONS
)


def region(region_id: str) -> Region | None:
    for candidate in REGIONS:
        if candidate.region_id == region_id:
            return candidate
    return None


def is_mainland(region_id: str) -> bool:
    found = region(region_id)
    return found.mainland if found else False
