"""Instance-type queries: DescribeImageSupportInstanceTypes and DescribeInstanceTypes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecsimg.domain.errors import ApiError, invalid
from ecsimg.domain.models import InstanceType
from ecsimg.service.account.regions import check_region
from ecsimg.service.images.describe import image_fits_type
from ecsimg.service.images.visibility import get_visible
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction

# The SDK documents these Filter keys as carrying the image ID (and as having no other effect).
_IMAGE_ID_FILTER_KEYS = frozenset({"imageId", "imagId", "ImageId", "filter"})
_SUPPORT_ACTION_TYPES = ("CreateEcs", "ChangeOS", "Upgrade", "Downgrade", "RenewDowngrade")
CPU_ARCHITECTURES = ("X86", "ARM")
FAMILY_LEVELS = ("EntryLevel", "EnterpriseLevel", "CreditEntryLevel")
MAX_RESULTS = 1600

TypePredicate = Callable[[InstanceType], bool]


def _sorted_types(tx: Transaction) -> list[InstanceType]:
    return sorted(tx.all(tables.INSTANCE_TYPES), key=lambda t: t.instance_type_id)


@action("DescribeImageSupportInstanceTypes", Param("ActionType"), Param("Filter.N.Key"),
        Param("Filter.N.Value"), Param("ImageId"))
def describe_image_support_instance_types(ctx: Context, req: Request, tx: Transaction) -> Response:
    """The instance types an image can run on: architecture and memory limits."""
    region_id = check_region(tx, req)
    req.choice("ActionType", _SUPPORT_ACTION_TYPES)
    image_id = req.str("ImageId")
    if not image_id:
        for _, fields in req.records("Filter"):
            if fields.get("Key") in _IMAGE_ID_FILTER_KEYS and fields.get("Value"):
                image_id = fields["Value"]
                break
    if not image_id:
        raise ApiError("MissingParameter", "The input parameter 'ImageId' that is mandatory "
                       "for processing this request is not supplied.", 400)
    image = get_visible(tx, ctx.account_id, region_id, image_id)
    return {
        "ImageId": image.image_id,
        "RegionId": region_id,
        "InstanceTypes": {"InstanceType": [
            {"InstanceTypeId": t.instance_type_id, "InstanceTypeFamily": t.family,
             "CpuCoreCount": t.cpu_core_count, "MemorySize": float(t.memory_size)}
            for t in _sorted_types(tx) if image_fits_type(image, t)
        ]},
    }


def family_level(instance_type: InstanceType) -> str:
    """Burstable (t-series) and shared (n-series) families are entry level."""
    short = instance_type.family.removeprefix("ecs.")
    return "EntryLevel" if short.startswith(("t", "n")) else "EnterpriseLevel"


def category(instance_type: InstanceType) -> str:
    """The InstanceCategory of a family, from its series letter."""
    short = instance_type.family.removeprefix("ecs.")
    return {"g": "General-purpose", "c": "Compute-optimized", "r": "Memory-optimized",
            "t": "Burstable", "n": "Shared"}.get(short[:1], "General-purpose")


def _listed(req: Request, prefix: str) -> list[str]:
    """``Prefix.N`` values in N order, trimmed, blanks dropped."""
    return [text for text in (str(v).strip() for _, v in req.indexed(prefix)) if text]


def _values(req: Request, single: str, listed: str) -> set[str]:
    """The union of a single-valued filter and its ``.N`` list form, blanks dropped."""
    found = set(_listed(req, listed))
    if req.str(single):
        found.add(req.str(single))
    return found


def _type_predicates(req: Request) -> list[TypePredicate]:
    """The filters ecsimg models; the rest are validated for type and otherwise ignored."""
    predicates: list[TypePredicate] = []
    type_ids = set(_listed(req, "InstanceTypes"))
    if type_ids:
        predicates.append(lambda t: t.instance_type_id in type_ids)
    families = _values(req, "InstanceTypeFamily", "InstanceTypeFamilies")
    if families:
        predicates.append(lambda t: t.family in families)
    architectures = _values(req, "CpuArchitecture", "CpuArchitectures")
    for arch in architectures:
        if arch not in CPU_ARCHITECTURES:
            raise invalid("CpuArchitecture", f"{arch!r} is not X86 or ARM")
    if architectures:
        predicates.append(lambda t: t.architecture in architectures)
    level = req.choice("InstanceFamilyLevel", FAMILY_LEVELS)
    if level:
        predicates.append(lambda t: family_level(t) == level)
    categories = _values(req, "InstanceCategory", "InstanceCategories")
    if categories:
        predicates.append(lambda t: category(t) in categories)
    min_cpus, max_cpus = req.int("MinimumCpuCoreCount"), req.int("MaximumCpuCoreCount")
    if min_cpus is not None:
        predicates.append(lambda t: t.cpu_core_count >= min_cpus)
    if max_cpus is not None:
        predicates.append(lambda t: t.cpu_core_count <= max_cpus)
    low, high = req.float("MinimumMemorySize"), req.float("MaximumMemorySize")
    if low is not None:
        predicates.append(lambda t: t.memory_size >= low)
    if high is not None:
        predicates.append(lambda t: t.memory_size <= high)
    # No catalogue instance type has a GPU: asking for one matches nothing.
    min_gpus = req.int("MinimumGPUAmount")
    if (min_gpus is not None and min_gpus > 0) or _values(req, "GPUSpec", "GpuSpecs"):
        predicates.append(lambda t: False)
    # The other numeric filters match nothing here; their values are checked when the request
    # is read, against the types the action declares.
    return predicates


_IGNORED_INT_FILTERS = (
    "MinimumBaselineCredit", "MinimumDiskQuantity", "MinimumEniIpv6AddressQuantity",
    "MinimumEniPrivateIpAddressQuantity", "MinimumEniQuantity", "MinimumEriQuantity",
    "MinimumInitialCredit", "MinimumInstanceBandwidthRx", "MinimumInstanceBandwidthTx",
    "MinimumInstancePpsRx", "MinimumInstancePpsTx", "MinimumLocalStorageAmount",
    "MinimumLocalStorageCapacity", "MinimumPrimaryEniQueueNumber", "MinimumQueuePairNumber",
    "MinimumSecondaryEniQueueNumber",
)

def instance_type_to_api(instance_type: InstanceType) -> dict[str, Any]:
    return {
        "InstanceTypeId": instance_type.instance_type_id,
        "InstanceTypeFamily": instance_type.family,
        "InstanceCategory": category(instance_type),
        "InstanceFamilyLevel": family_level(instance_type),
        "CpuArchitecture": instance_type.architecture,
        "CpuCoreCount": instance_type.cpu_core_count,
        "MemorySize": float(instance_type.memory_size),
        "GPUAmount": 0,
        "GPUSpec": "",
        "GPUMemorySize": 0.0,
        "LocalStorageAmount": 0,
        "LocalStorageCapacity": 0,
        "LocalStorageCategory": "",
    }


@action(
    "DescribeInstanceTypes",
    Param("AdditionalAttributes.N"), Param("CpuArchitecture"), Param("CpuArchitectures.N"),
    Param("GPUSpec"), Param("GpuSpecs.N"), Param("InstanceCategories.N"),
    Param("InstanceCategory"), Param("InstanceFamilyLevel"), Param("InstanceTypeFamilies.N"),
    Param("InstanceTypeFamily"), Param("InstanceTypes.N"), Param("LocalStorageCategories.N"),
    Param("LocalStorageCategory"), Param("MaxResults", int), Param("MaximumCpuCoreCount", int),
    Param("MaximumCpuSpeedFrequency", float), Param("MaximumCpuTurboFrequency", float),
    Param("MaximumGPUAmount", int), Param("MaximumMemorySize", float),
    Param("MinimumCpuCoreCount", int), Param("MinimumCpuSpeedFrequency", float),
    Param("MinimumCpuTurboFrequency", float), Param("MinimumGPUAmount", int),
    Param("MinimumMemorySize", float), Param("NextToken"), Param("NvmeSupport"),
    Param("PhysicalProcessorModel"), Param("PhysicalProcessorModels.N"),
    *(Param(name, int) for name in _IGNORED_INT_FILTERS),
)
def describe_instance_types(ctx: Context, req: Request, tx: Transaction) -> Response:
    """The instance types of the catalogue, filtered, with MaxResults/NextToken paging."""
    max_results = req.int_or("MaxResults", MAX_RESULTS)
    if not 1 <= max_results <= MAX_RESULTS:
        raise invalid("MaxResults", f"it must be between 1 and {MAX_RESULTS}")
    token = req.str("NextToken")
    if token and not (token.isdigit() and len(token) <= 9):
        raise invalid("NextToken", "it is not a token this API returned")
    start = int(token) if token else 0
    predicates = _type_predicates(req)
    matched = [t for t in _sorted_types(tx) if all(p(t) for p in predicates)]
    page = matched[start:start + max_results]
    following = start + max_results
    return {
        "InstanceTypes": {"InstanceType": [instance_type_to_api(t) for t in page]},
        "NextToken": str(following) if following < len(matched) else "",
    }
