"""An image's details as Rich text, for the details pane and the full detail screen."""

from __future__ import annotations

from rich.text import Text

from ecsimg.service.reads.browse import FeeLine, ImageDetails
from ecsimg.service.reads.fees import ESTIMATE_TITLE
from ecsimg.ui.text import Hanging, plural, sanitize
from ecsimg.ui.widgets.line_pane import LinePane

LABEL_WIDTH = 15
"""A field's label and the space after it: where a wrapped value continues."""
LINE_INDENT = 2
"""Where a wrapped list line (a disk, a share, an event) continues."""

KIND_LABELS = {"public": "public", "custom": "custom (yours)", "shared": "shared with you",
               "marketplace": "marketplace", "community": "community"}


def _field(text: Hanging, label: str, value: str, style: str = "", crop: bool = False) -> None:
    line = Text(f"{label:<{LABEL_WIDTH - 1}} ", style="bold", end="")
    line.append(sanitize(value) or "-", style=style)
    text.add(line, LABEL_WIDTH, crop)


def _item(text: Hanging, value: str | Text) -> None:
    text.add(value if isinstance(value, Text) else Text(value, end=""), LINE_INDENT)


def _section(text: Hanging, title: str) -> None:
    text.add("")
    text.add(Text(title, style="bold underline", end=""))


def detail_ids(d: ImageDetails) -> list[tuple[str, str]]:
    """(what, ID) of every ID the detail view shows, for copying one."""
    image = d.row.image
    found = [("image", image.image_id)]
    found += [(f"snapshot of {m.mapping.device}", m.mapping.snapshot_id)
              for m in d.mappings if m.mapping.snapshot_id]
    if d.source_instance_id:
        found.append(("source instance", d.source_instance_id))
    if d.copied_from:
        found.append(("copied from", d.copied_from.partition("/")[2] or d.copied_from))
    found += [(f"copy in {key.partition('/')[0]}", key.partition("/")[2]) for key in d.copies]
    found += [(f"instance {sanitize(i.instance_name)}", i.instance_id) for i in d.instances]
    found += [(f"shared with {sanitize(s.account_name)}", s.account_id) for s in d.shares]
    if image.owner_id:
        found.append(("owner account", image.owner_id))
    if image.task_id:
        found.append(("task", image.task_id))
    return found


def events_text(d: ImageDetails) -> Hanging:
    """The image's recent events, newest first."""
    text = Hanging()
    text.add(Text(f"Events ({len(d.events)})", style="bold underline", end=""))
    for event in d.events:
        _item(text, f"{event.time} {event.action} {event.code} {sanitize(event.profile)}")
    return text


def details_text(d: ImageDetails, full: bool = False, events: bool = True) -> Hanging:
    """Every known field of the image; ``full`` adds every API field, copies and events.

    In the pane (not ``full``) each field keeps to one line, cut with an ellipsis, and the
    lists whose length varies (disks, tags, shares, instances) come last: the lines stay in
    place from one image to the next, so a cursor move repaints only what changed.
    """
    image = d.row.image
    crop = not full
    text = Hanging()
    text.add(Text(sanitize(image.image_name) or image.image_id, style="bold", end=""),
             crop=crop)
    _field(text, "ID", image.image_id, crop=crop)
    _field(text, "Type", KIND_LABELS.get(d.row.kind, d.row.kind), crop=crop)
    status = d.status if d.status not in ("Creating", "Waiting") else (
        f"{d.status} {d.progress}% ({d.remain_seconds}s left)")
    _field(text, "Status", status, crop=crop)
    _field(text, "OS", image.os_name_en, crop=crop)
    _field(text, "Arch", f"{image.architecture} ({image.os_type})", crop=crop)
    _field(text, "Size", f"{image.size} GiB", crop=crop)
    _field(text, "Family", image.image_family, crop=crop)
    _field(text, "Description", image.description, crop=crop)
    _field(text, "Created", image.creation_time, crop=crop)
    _field(text, "Usage", d.row.usage, crop=crop)
    if image.owner_id:
        _field(text, "Owner", image.owner_id, crop=crop)
    if image.product_code:
        _field(text, "Product", f"{image.product_code} by {image.supplier_name}", crop=crop)
    _field(text, "From instance", d.source_instance_id + (
        " (gone)" if d.source_instance_id and d.source_instance is None else ""), crop=crop)
    _field(text, "Copied from", d.copied_from + (
        " (gone)" if d.copied_from and not d.copied_from_exists else ""), crop=crop)
    if full:
        _field(text, "Copies", ", ".join(d.copies))
    _field(text, "Shared with", plural(len(d.shares), "account"), crop=crop)
    _field(text, "Used by", plural(len(d.instances), "instance"), crop=crop)
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
            if not mapping.snapshot_exists:
                line += " (missing)"
            elif full and mapping.snapshot is not None:
                line += f" {mapping.snapshot.size} GiB {mapping.snapshot.creation_time}"
        _item(text, sanitize(line))
    if not d.mappings:
        _item(text, "-")
    _section(text, "Tags")
    for tag in image.tags:
        _item(text, f"{sanitize(tag.key)}={sanitize(tag.value)}")
    if not image.tags:
        _item(text, "-")
    if d.shares:
        _section(text, f"Shared with {plural(len(d.shares), 'account')}")
    for share in d.shares:
        _item(text, f"{share.account_id} {sanitize(share.account_name)}  {share.shared_time}")
    if d.instances:
        _section(text, f"Used by {plural(len(d.instances), 'instance')}")
    for instance in d.instances:
        _item(text, f"{instance.instance_id} {sanitize(instance.instance_name)} "
                    f"{instance.status}")
    if full and events:
        text.add("")
        text.extend(events_text(d))
    return text


FEES_TITLE = ESTIMATE_TITLE


def _fee_lines(lines: tuple[FeeLine, ...] | list[FeeLine]) -> list[Text]:
    """The title, then one line per fee with its unit and note (the totals come from the
    service, with their units: CNY/mo, and a one-time price apart)."""
    shown = [Text(FEES_TITLE, style="bold", end="")]
    for line in lines:
        amount = "-" if line.amount is None else f"{line.amount:,.2f} {line.unit}"
        fee = Text(f"{sanitize(line.label)}: {amount}", end="",
                   style="bold" if line.total else "")
        if line.note:
            fee.append(f" {sanitize(line.note)}", style="italic")
        shown.append(fee)
    return shown


def fees_text(lines: tuple[FeeLine, ...] | list[FeeLine]) -> Hanging:
    """The fee preview of the detail screen: wrapped lines under a title."""
    shown = _fee_lines(lines)
    text = Hanging()
    text.add(shown[0])
    for fee in shown[1:]:
        _item(text, fee)
    return text


def fees_pane_text(lines: tuple[FeeLine, ...] | list[FeeLine], title: bool) -> Text:
    """The fee pane: each line cut to the width with an ellipsis, so that the pane keeps its
    height from one image to the next and a cursor move needs no new layout; ``title``
    False when the pane's border shows it."""
    shown = _fee_lines(lines)
    return Text("\n", no_wrap=True, overflow="ellipsis").join(shown if title else shown[1:])


class DetailsPane(LinePane):
    """The highlighted image's details; scrolls when they do not fit."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("No image selected", style="dim"), id=id)
