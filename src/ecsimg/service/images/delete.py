"""DeleteImage: remove one of the caller's custom images; its snapshots stay (Rules 86-89)."""

from __future__ import annotations

from ecsimg.domain.errors import denied, image_not_found
from ecsimg.domain.models import Image
from ecsimg.service.account.regions import check_region
from ecsimg.service.images import visibility as images
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View


@action("DeleteImage", Param("ImageId", required=True), Param("Force", bool), mutating=True)
def delete_image(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Delete a custom image; an ID that matches no image is ignored, as the API documents."""
    region_id = check_region(tx, req)
    image_id = req.required("ImageId")
    force = req.bool("Force")
    image = tx.get(tables.IMAGES, f"{region_id}/{image_id}")
    if image is None:
        return {}
    # Public, marketplace and other accounts' images exist but are not the caller's to delete.
    if image.owner_kind != "custom" or image.owner_id != ctx.account_id:
        raise image_not_found(image_id)
    check_deletable(tx, image, ctx.now(), force)
    tx.delete(tables.IMAGES, image.key)
    return {}


def check_deletable(view: View, image: Image, now: float, force: bool) -> None:
    """Refuse while a task works on the image, while it is shared, or (without Force) in use."""
    if images.is_busy(image, now):
        if any(d.import_oss_object for d in image.disk_mappings):
            raise denied("ImageIsImporting", "The specified image is being imported; cancel "
                         "the import task with CancelTask instead.")
        raise denied("IncorrectImageStatus", "The specified image is still being created "
                     f"({images.status_of(image, now)}); wait until it is Available.")
    if _is_exporting(view, image, now):
        raise denied("ImageIsExporting", "The specified image is being exported. Please cancel "
                     "task first.")
    if _is_being_copied(view, image, now):
        raise denied("OperationDenied.ImageCopying", "The specified image is being copied to "
                     "another region; wait for the copy or cancel it with CancelCopyImage.")
    # Force does not bypass this: the owner must unshare (or unpublish) first.
    if image.shares or image.is_public:
        raise denied("ImageUseShared", "The specified image has been shared to others.")
    if not force and image.image_id in images.used_image_ids(view, image.region_id):
        raise denied("ImageUsingByInstance", "The specified image has been used to create "
                     "instances; set Force to true to delete it anyway.")


def _is_exporting(view: View, image: Image, now: float) -> bool:
    return any(
        task.task_action == "ExportImage" and task.resource_id == image.image_id
        and task.region_id == image.region_id and task.status == "Processing"
        and now < task.end_at
        for task in view.all(tables.TASKS)
    )


def _is_being_copied(view: View, image: Image, now: float) -> bool:
    return any(
        other.copied_from == image.key and images.is_busy(other, now)
        for other in view.all(tables.IMAGES)
    )

