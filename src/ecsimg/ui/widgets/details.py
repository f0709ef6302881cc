"""An image's details as Rich text, for the details pane and the full detail screen."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ecsimg.domain import fees
from ecsimg.domain.models import PriceBook
from ecsimg.i18n import is_message, t
from ecsimg.service.reads.browse import FeeLine, ImageDetails
from ecsimg.service.reads.fees import ONE_TIME, PER_MONTH
from ecsimg.service.reads.image_rows import is_busy_status
from ecsimg.ui.text import Hanging, pad, plural, sanitize
from ecsimg.ui.widgets.columns import status_name, usage_name
from ecsimg.ui.widgets.line_pane import LinePane

LABEL_WIDTH = 15
"""A field's label and the space after it: where a wrapped value continues."""
LINE_INDENT = 2
"""Where a wrapped list line (a disk, a share, an event) continues."""



def _field(text: Hanging, label: str, value: str, style: str = "", crop: bool = False) -> None:
    line = Text(pad(t(label), LABEL_WIDTH), style="bold", end="")
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
    found = [(t("ids.image"), image.image_id)]
    found += [(t("ids.snapshot", device=m.mapping.device), m.mapping.snapshot_id)
              for m in d.mappings if m.mapping.snapshot_id]
    if d.source_instance_id:
        found.append((t("ids.source_instance"), d.source_instance_id))
    if d.copied_from:
        found.append((t("ids.copied_from"), d.copied_from.partition("/")[2] or d.copied_from))
    found += [(t("ids.copy", region=key.partition("/")[0]), key.partition("/")[2])
              for key in d.copies]
    found += [(t("ids.instance", name=sanitize(i.instance_name)), i.instance_id)
              for i in d.instances]
    found += [(t("ids.shared", name=sanitize(s.account_name)), s.account_id) for s in d.shares]
    if image.owner_id:
        found.append((t("ids.owner"), image.owner_id))
    if image.task_id:
        found.append((t("ids.task"), image.task_id))
    return found


def events_text(d: ImageDetails) -> Hanging:
    """The image's recent events, newest first."""
    text = Hanging()
    text.add(Text(t("details.events", count=len(d.events)), style="bold underline", end=""))
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
    _field(text, "field.id", image.image_id, crop=crop)
    _field(text, "field.type", t(f"kind.{d.row.kind}") if is_message(f"kind.{d.row.kind}")
           else d.row.kind, crop=crop)
    status = status_name(d.status) if not is_busy_status(d.status) else (
        t("details.progress", status=status_name(d.status), progress=d.progress,
          remain=d.remain_seconds))
    _field(text, "field.status", status, crop=crop)
    _field(text, "field.os", image.os_name_en, crop=crop)
    _field(text, "field.arch", f"{image.architecture} ({image.os_type})", crop=crop)
    _field(text, "field.size", f"{image.size} GiB", crop=crop)
    _field(text, "field.family", image.image_family, crop=crop)
    _field(text, "field.description", image.description, crop=crop)
    _field(text, "field.created", image.creation_time, crop=crop)
    _field(text, "field.usage", usage_name(d.row.usage), crop=crop)
    # Owner and product are there for every image ("-" if it has none), so the lines under
    # them stay in place from a custom image to a public or Marketplace one.
    _field(text, "field.owner", image.owner_id, crop=crop)
    _field(text, "field.product", t("details.product", product=image.product_code,
                                    supplier=image.supplier_name)
           if image.product_code else "", crop=crop)
    _field(text, "field.from_instance", d.source_instance_id + (
        t("details.gone") if d.source_instance_id and d.source_instance is None else ""),
        crop=crop)
    _field(text, "field.copied_from", d.copied_from + (
        t("details.gone") if d.copied_from and not d.copied_from_exists else ""), crop=crop)
    if full:
        _field(text, "field.copies", ", ".join(d.copies))
    _field(text, "field.shared_with", plural(len(d.shares), "account"), crop=crop)
    _field(text, "field.used_by", plural(len(d.instances), "instance"), crop=crop)
    if full:
        for label, value in (
            ("field.region", image.region_id), ("field.version", image.image_version),
            ("field.os_name", image.os_name), ("field.platform", image.platform),
            ("field.boot_mode", image.boot_mode),
            ("field.licence", f"{image.license_type} {image.license_os}"),
            ("field.cloud_init", str(image.is_support_cloudinit)),
            ("field.io_optimised", str(image.is_support_io_optimized)),
            ("field.non_root", str(image.login_as_non_root)),
            ("field.encrypted", f"{image.encrypted} {image.key_kind}".strip()),
            ("field.community", str(image.is_public)),
            ("field.resource_group", image.resource_group_id),
            ("field.task", image.task_id),
        ):
            _field(text, label, value)
    _section(text, t("details.disks"))
    for mapping in d.mappings:
        disk = mapping.mapping
        line = f"{disk.device} {disk.disk_type} {disk.size} GiB"
        if disk.snapshot_id:
            line += t("details.snapshot", snapshot=disk.snapshot_id)
            if not mapping.snapshot_exists:
                line += t("details.missing")
            elif full and mapping.snapshot is not None:
                line += f" {mapping.snapshot.size} GiB {mapping.snapshot.creation_time}"
        _item(text, sanitize(line))
    if not d.mappings:
        _item(text, "-")
    _section(text, t("details.tags"))
    for tag in image.tags:
        _item(text, f"{sanitize(tag.key)}={sanitize(tag.value)}")
    if not image.tags:
        _item(text, "-")
    if d.shares:
        _section(text, t("details.shared_with", count=plural(len(d.shares), "account")))
    for share in d.shares:
        _item(text, f"{share.account_id} {sanitize(share.account_name)}  {share.shared_time}")
    if d.instances:
        _section(text, t("details.used_by", count=plural(len(d.instances), "instance")))
    for instance in d.instances:
        _item(text, f"{instance.instance_id} {sanitize(instance.instance_name)} "
                    f"{instance.status}")
    if full and events:
        text.add("")
        text.extend(events_text(d))
    return text


def fees_title() -> str:
    """The one question the list's monthly column, the fee pane and the detail view answer."""
    return t("fees.title", vcpus=fees.ESTIMATE_VCPUS, hours=fees.HOURS_PER_MONTH,
             unit=t("unit.per_month"))


_UNITS = {PER_MONTH: "unit.per_month", ONE_TIME: "unit.one_time"}
_NOTES = {"none": "fees.none", "paid by the owner": "fees.paid_by_owner",
          "price unknown": "fees.price_unknown", fees.USER_BOOK: "fees.user_book"}
_UNKNOWN_PREFIX = "price unknown: "


_NOT_IN_BOOK = f"not in {fees.USER_BOOK} ("
"""How ``fees.unknown_why`` begins for a price the user's book lacks."""


def unknown_reason(why: str) -> str:
    """Why a price is unknown, in the current language where the reason is a fixed one."""
    if why == fees.NO_PRICE_BOOK:
        return t("fees.no_price_book")
    if why.startswith(_NOT_IN_BOOK) and why.endswith(")"):
        return t("fees.not_in_user_book", path=why[len(_NOT_IN_BOOK):-1])
    return why


def book_source(book: PriceBook) -> str:
    """``fees.source_of`` in the current language: the user's price book and its path."""
    return f"{t('fees.user_book')} ({book.source})" if book.source else ""


def fee_detail(how: str, values: Sequence[tuple[str, fees.DetailValue]], detail: str) -> str:
    """How a fee line's amount was reached (``fees.DETAILS[how]``) in the current language;
    ``detail`` (the domain's English) when it is of no known kind."""
    if not how or not is_message(f"feeline.{how}"):
        return detail
    filled = {name: unknown_reason(value) if name == "why" and isinstance(value, str) else value
              for name, value in values}
    return t(f"feeline.{how}", **filled)


def fee_note(line: FeeLine) -> str:
    """A fee line's note (the service's words) in the current language."""
    note = line.note
    if line.how:
        return fee_detail(line.how, line.values, note)
    if note in _NOTES:
        return t(_NOTES[note])
    if note.startswith(_UNKNOWN_PREFIX):
        return t("fees.unknown_why", why=unknown_reason(note[len(_UNKNOWN_PREFIX):]))
    return note
_LABELS = (("licence", "fees.licence"), ("snapshots", "fees.snapshots"),
           ("marketplace", "fees.marketplace"), ("per month", "fees.per_month"),
           ("once per instance", "fees.once_per_instance"))
"""The service's fee line labels (with what follows them kept: sizes, pricing models)."""


def fee_label(label: str) -> str:
    """A fee line's label in the current language."""
    for english, message_id in _LABELS:
        if label == english or label.startswith(english + " "):
            return t(message_id) + label[len(english):]
    return label


def _fee_lines(lines: tuple[FeeLine, ...] | list[FeeLine]) -> list[Text]:
    """The title, then one line per fee with its unit and note (the totals come from the
    service, with their units: CNY/mo, and a one-time price apart)."""
    shown = [Text(fees_title(), style="bold", end="")]
    for line in lines:
        unit = t(_UNITS[line.unit]) if line.unit in _UNITS else line.unit
        amount = "-" if line.amount is None else f"{line.amount:,.2f} {unit}"
        fee = Text(f"{sanitize(fee_label(line.label))}: {amount}", end="",
                   style="bold" if line.total else "")
        if line.note:
            note = fee_note(line)
            fee.append(f" {sanitize(note)}", style="italic")
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
        super().__init__(Text(t("details.no_image"), style="dim"), id=id)
