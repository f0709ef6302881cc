"""Two images field by field, for the compare view: which values differ, in plain strings."""

from __future__ import annotations

from dataclasses import dataclass

from ecsimg.service.reads.browse import FeeLine, ImageDetails

ABSENT = "-"


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One field of both images; ``section`` groups rows (image, disks, tags, shares, fees)."""

    section: str
    label: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right


def _image_rows(a: ImageDetails, b: ImageDetails) -> list[CompareRow]:
    def both(label: str, left: object, right: object) -> CompareRow:
        return CompareRow("image", label, str(left) if left != "" else ABSENT,
                          str(right) if right != "" else ABSENT)

    ia, ib = a.row.image, b.row.image
    return [
        both("ID", ia.image_id, ib.image_id),
        both("name", ia.image_name, ib.image_name),
        both("region", ia.region_id, ib.region_id),
        both("type", a.row.kind, b.row.kind),
        both("status", a.status, b.status),
        both("created", ia.creation_time, ib.creation_time),
        both("OS", ia.os_name_en or ia.os_name, ib.os_name_en or ib.os_name),
        both("platform", ia.platform, ib.platform),
        both("arch", ia.architecture, ib.architecture),
        both("size GiB", ia.size, ib.size),
        both("family", ia.image_family, ib.image_family),
        both("version", ia.image_version, ib.image_version),
        both("boot mode", ia.boot_mode, ib.boot_mode),
        both("licence", ia.license_type, ib.license_type),
        both("usage", a.row.usage, b.row.usage),
        both("description", ia.description, ib.description),
    ]


def _disk_text(details: ImageDetails, index: int) -> str:
    if index >= len(details.mappings):
        return ABSENT
    found = details.mappings[index]
    disk = found.mapping
    snapshot = disk.snapshot_id or "no snapshot"
    held = f" ({found.snapshot_gib} GiB)" if found.snapshot_gib is not None else ""
    return f"{disk.device} {disk.disk_type} {disk.size} GiB {snapshot}{held}"


def _snapshot_gib(details: ImageDetails) -> str:
    sizes = {m.mapping.snapshot_id: m.snapshot_gib for m in details.mappings
             if m.mapping.snapshot_id and m.snapshot_gib is not None}
    return f"{sum(sizes.values())} GiB in {len(sizes)}"


def _disk_rows(a: ImageDetails, b: ImageDetails) -> list[CompareRow]:
    count = max(len(a.mappings), len(b.mappings))
    rows = [CompareRow("disks", f"disk {n + 1}", _disk_text(a, n), _disk_text(b, n))
            for n in range(count)]
    rows.append(CompareRow("disks", "snapshot GiB", _snapshot_gib(a), _snapshot_gib(b)))
    return rows


def _tag_rows(a: ImageDetails, b: ImageDetails) -> list[CompareRow]:
    left = {t.key: t.value for t in a.row.image.tags}
    right = {t.key: t.value for t in b.row.image.tags}
    return [CompareRow("tags", f"tag {key}", left.get(key, ABSENT), right.get(key, ABSENT))
            for key in sorted(left.keys() | right.keys())]


def _share_rows(a: ImageDetails, b: ImageDetails) -> list[CompareRow]:
    left = {s.account_id for s in a.shares}
    right = {s.account_id for s in b.shares}
    rows = [CompareRow("shares", "shared with", f"{len(left)} accounts",
                       f"{len(right)} accounts")]
    rows += [CompareRow("shares", account, "shared" if account in left else ABSENT,
                        "shared" if account in right else ABSENT)
             for account in sorted(left | right)]
    return rows


def _fee_text(line: FeeLine | None) -> str:
    if line is None:
        return ABSENT
    amount = f"{line.amount:,.2f} {line.unit}" if line.amount is not None else line.note
    return amount or ABSENT


def _fee_rows(a: ImageDetails, b: ImageDetails) -> list[CompareRow]:
    def by_label(details: ImageDetails) -> dict[str, FeeLine]:
        # "snapshots 40 GiB": the size has its own row; the fee is compared by kind.
        return {"snapshot fee" if line.label.startswith("snapshots") else line.label: line
                for line in details.fees}

    left, right = by_label(a), by_label(b)
    labels = list(left) + [label for label in right if label not in left]
    return [CompareRow("fees", label, _fee_text(left.get(label)), _fee_text(right.get(label)))
            for label in labels]


def compare_rows(a: ImageDetails, b: ImageDetails) -> list[CompareRow]:
    """Every compared field of ``a`` and ``b`` (full details), in display order."""
    return (_image_rows(a, b) + _disk_rows(a, b) + _tag_rows(a, b) + _share_rows(a, b)
            + _fee_rows(a, b))
