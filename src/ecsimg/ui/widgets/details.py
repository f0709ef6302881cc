"""An image's details as Rich text, for the details pane and the full detail screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ecsimg.service.browse import FeeLine, ImageDetails
from ecsimg.ui.text import Hanging, sanitize

LABEL_WIDTH = 15
"""A field's label and the space after it: where a wrapped value continues."""
LINE_INDENT = 2
"""Where a wrapped list line (a disk, a share, an event) continues."""

KIND_LABELS = {"public": "public", "custom": "custom (yours)", "shared": "shared with you",
               "marketplace": "marketplace", "community": "community"}


def _field(text: Hanging, label: str, value: str, style: str = "") -> None:
    line = Text(f"{label:<{LABEL_WIDTH - 1}} ", style="bold", end="")
    line.append(sanitize(value) or "-", style=style)
    text.add(line, LABEL_WIDTH)


def _item(text: Hanging, value: str | Text) -> None:
    text.add(value if isinstance(value, Text) else Text(value, end=""), LINE_INDENT)


def _section(text: Hanging, title: str) -> None:
    text.add("")
    text.add(Text(title, style="bold underline", end=""))


def details_text(d: ImageDetails, full: bool = False) -> Hanging:
    """Every known field of the image; ``full`` adds every API field, copies and events."""
    image = d.row.image
    text = Hanging()
    text.add(Text(sanitize(image.image_name) or image.image_id, style="bold", end=""))
    _field(text, "ID", image.image_id)
    _field(text, "Type", KIND_LABELS.get(d.row.kind, d.row.kind))
    status = d.status if d.status not in ("Creating", "Waiting") else (
        f"{d.status} {d.progress}% ({d.remain_seconds}s left)")
    _field(text, "Status", status)
    _field(text, "OS", f"{image.os_name_en} ({image.os_type}, {image.architecture})")
    _field(text, "Size", f"{image.size} GiB")
    _field(text, "Family", image.image_family)
    _field(text, "Description", image.description)
    _field(text, "Created", image.creation_time)
    _field(text, "Usage", d.row.usage)
    if image.owner_id:
        _field(text, "Owner", image.owner_id)
    if image.product_code:
        _field(text, "Product", f"{image.product_code} by {image.supplier_name}")
    if full:
        for label, value in (
            ("Region", image.region_id), ("Version", image.image_version),
            ("OS name", image.os_name), ("Platform", image.platform),
            ("Boot mode", image.boot_mode), ("Licence", f"{image.license_type} {image.license_os}"),
            ("Cloud-init", str(image.is_support_cloudinit)),
            ("IO optimised", str(image.is_support_io_optimized)),
            ("Non-root login", str(image.login_as_non_root)),
            ("Encrypted", f"{image.encrypted} {image.key_kind}".strip()),
            ("Community", str(image.is_public)), ("Resource grp", image.resource_group_id),
            ("Task", image.task_id),
        ):
            _field(text, label, value)
    _section(text, "Disks")
    for mapping in d.mappings:
        disk = mapping.mapping
        line = f"{disk.device} {disk.disk_type} {disk.size} GiB"
        if disk.snapshot_id:
            line += f"  snapshot {disk.snapshot_id}"
            if mapping.snapshot is None:
                line += " (missing)"
            elif full:
                line += f" {mapping.snapshot.size} GiB {mapping.snapshot.creation_time}"
        _item(text, sanitize(line))
    if not d.mappings:
        _item(text, "-")
    _section(text, "Tags")
    for tag in image.tags:
        _item(text, f"{sanitize(tag.key)}={sanitize(tag.value)}")
    if not image.tags:
        _item(text, "-")
    _section(text, f"Shared with {len(d.shares)} accounts")
    for share in d.shares:
        _item(text, f"{share.account_id} {sanitize(share.account_name)}  {share.shared_time}")
    _section(text, "Lineage")
    _field(text, "From instance", d.source_instance_id + (
        " (gone)" if d.source_instance_id and d.source_instance is None else ""))
    _field(text, "Copied from", d.copied_from + (
        " (gone)" if d.copied_from and not d.copied_from_exists else ""))
    if full:
        _field(text, "Copies", ", ".join(d.copies))
    _section(text, f"Used by {len(d.instances)} instances")
    for instance in d.instances:
        _item(text, f"{instance.instance_id} {sanitize(instance.instance_name)} "
                    f"{instance.status}")
    if full:
        _section(text, f"Events ({len(d.events)})")
        for event in d.events:
            _item(text, f"{event.time} {event.action} {event.code} {sanitize(event.profile)}")
    return text


def fees_text(lines: tuple[FeeLine, ...] | list[FeeLine]) -> Hanging:
    """The fee pane: one line per fee with its note, then the total."""
    text = Hanging()
    text.add(Text("Fee preview (CNY)", style="bold", end=""))
    total = 0.0
    for line in lines:
        amount = "" if line.amount is None else f"{line.amount:,.2f}"
        total += line.amount or 0.0
        fee = Text(f"{sanitize(line.label)}: {amount}", end="")
        if line.note:
            fee.append(f" {sanitize(line.note)}", style="dim")
        _item(text, fee)
    text.add(Text(f"total: {total:,.2f}", style="bold", end=""))
    return text


class DetailsPane(VerticalScroll):
    """The highlighted image's details; scrolls when they do not fit."""

    def compose(self) -> ComposeResult:
        yield Static(Text("No image selected", style="dim"), id="details-body")

    def show(self, content: Text | Hanging) -> None:
        self.query_one("#details-body", Static).update(content)
