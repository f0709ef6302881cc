"""ModifyImageSharePermission: share with accounts, unshare, publish and unpublish (Rules 45-60)."""

from __future__ import annotations

import dataclasses

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, denied, invalid, not_found
from ecsimg.domain.ids import is_account_id
from ecsimg.service.account.regions import check_region
from ecsimg.service.images.visibility import (
    SHARE_ACCOUNTS_LIMIT,
    SHARED_RECEIVE_LIMIT,
    get_own,
    kind_of,
    not_shareable_reason,
    status_of,
)
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

ACCOUNTS_PER_CALL = 10
"""Only the first 10 AddAccount.N and the first 10 RemoveAccount.N are processed (Rule 46)."""


def first_accounts(req: Request, prefix: str) -> list[str]:
    """The first ten ``prefix.N`` values in N order, trimmed, blanks and repeats dropped."""
    taken = [str(value).strip() for _, value in req.indexed(prefix)][:ACCOUNTS_PER_CALL]
    return list(dict.fromkeys(v for v in taken if v))


def is_encrypted(image: m.Image) -> bool:
    return image.encrypted or bool(image.key_kind) or any(d.encrypted for d in image.disk_mappings)


def _check_shareable_status(image: m.Image, now: float) -> None:
    """Only an Available image may be shared or published; Deprecated has its own code (Rule 42)."""
    status = status_of(image, now)
    if status == m.DEPRECATED:
        raise denied("OperationDenied.InvalidImageStatus",
                     "A Deprecated image cannot be shared or published.")
    if status != m.AVAILABLE:
        raise ApiError("IncorrectImageStatus",
                       f"The image is {status}: only Available images can be shared.", 400)


def _check_recipient(view: View, image: m.Image, owner: m.Account | None, account_id: str) -> None:
    """One AddAccount entry: not the owner, a known account, on the right site (Rules 48-50)."""
    if account_id == image.owner_id:
        raise not_found("InvalidAccount.Forbbiden",
                        "The image cannot be shared with its own account.")
    recipient = view.get(tables.ACCOUNTS, account_id) if is_account_id(account_id) else None
    if recipient is None:
        raise not_found("InvalidAccount.NotFound",
                        f"The specified account '{account_id}' does not exist.")
    if image.product_code and owner is not None and recipient.site != owner.site:
        raise denied("InvalidImageId.BidMismatch",
                     "An image derived from a Marketplace image cannot be shared with an account "
                     "of another site.")


def _check_receive_limits(view: View, new_recipients: list[str]) -> None:
    """No recipient may hold more than 100 shared images, over all regions (Rule 52)."""
    # Counted from the store's share index: reading every image of every region would cost
    # a whole-catalogue read per share.
    received = view.shares_received(new_recipients)
    for account_id in new_recipients:
        if received[account_id] >= SHARED_RECEIVE_LIMIT:
            raise denied("QuotaExceed.ShareImage",
                         f"The account '{account_id}' already receives {SHARED_RECEIVE_LIMIT} "
                         "shared images.")


def _check_publish(ctx: Context, view: View, image: m.Image) -> None:
    """IsPublic=true: Available, unencrypted, not yet public, terms signed (Rules 56-58)."""
    if image.is_public:
        raise denied("Image.Public", "The specified image is public image.")
    _check_shareable_status(image, ctx.now())
    if is_encrypted(image):
        # The real code is unconfirmed; the documentation only says encrypted images cannot be
        # published.
        raise denied("InvalidParameter.Encrypted", "An encrypted image cannot be published as a "
                     "community image.")
    account = view.get(tables.ACCOUNTS, ctx.account_id)
    if account is None or not account.community_terms_signed:
        raise denied("PublicImageAgreement.NotSigned",
                     "Sign the Community Image Terms of Service before publishing an image.")


def _check_adds(ctx: Context, view: View, image: m.Image, adds: list[str],
                public_after: bool) -> None:
    if public_after:
        # The real code is unconfirmed: community images cannot be shared with accounts (Rule 60).
        raise denied("OperationDenied.CommunityImage",
                     "A community image cannot be shared with accounts.")
    _check_shareable_status(image, ctx.now())
    if is_encrypted(image) and image.key_kind != "cmk":
        raise denied("InvalidOperation.ServiceKeyEncryptedImageUnsupported",
                     "Images encrypted with a service key cannot be shared; copy the image "
                     "with a customer master key (CMK) first.")
    owner = view.get(tables.ACCOUNTS, image.owner_id)
    for account_id in adds:
        _check_recipient(view, image, owner, account_id)


def _own_shareable(view: View, account_id: str, region_id: str, image_id: str) -> m.Image:
    """The caller's own custom image; a visible image of another kind gets the API's code
    (InvalidImageId.NotFound: "does not exist or is not yours") with the reason in words."""
    image = view.get(tables.IMAGES, f"{region_id}/{image_id}")
    if image is not None and not (image.owner_kind == "custom" and image.owner_id == account_id):
        reason = not_shareable_reason(kind_of(image, account_id))
        if reason:
            raise not_found("InvalidImageId.NotFound",
                            f"The specified ImageId '{image_id}' {reason}: only your own custom "
                            "images can be shared.")
    return get_own(view, account_id, region_id, image_id)


@action(
    "ModifyImageSharePermission",
    Param("ImageId", required=True), Param("AddAccount.N"), Param("RemoveAccount.N"),
    Param("IsPublic", bool), Param("LaunchPermission"),
    mutating=True,
)
def modify_image_share_permission(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Share a custom image with accounts, unshare it, or publish or unpublish it."""
    region_id = check_region(tx, req)
    image = _own_shareable(tx, ctx.account_id, region_id, req.required("ImageId"))
    adds = first_accounts(req, "AddAccount")
    removes = first_accounts(req, "RemoveAccount")
    both = set(adds) & set(removes)
    if both:
        raise invalid("AddAccount", f"{sorted(both)[0]} is both added and removed")
    publish = req.bool("IsPublic") if req.has("IsPublic") else None
    # LaunchPermission is an invitational preview that no catalogue account takes part in.
    req.str("LaunchPermission")

    if publish is True:
        _check_publish(ctx, tx, image)
    elif publish is False and not image.is_public:
        raise denied("Image.NotPublic", "The specified image is not a community image.")
    public_after = image.is_public if publish is None else publish

    current = {share.account_id for share in image.shares}
    new_accounts = [a for a in adds if a not in current]
    if adds:
        _check_adds(ctx, tx, image, adds, public_after)
    kept = [share for share in image.shares if share.account_id not in removes]
    # Only growth is refused, so an image over the limit can always be unshared.
    if new_accounts and len(kept) + len(new_accounts) > SHARE_ACCOUNTS_LIMIT:
        raise denied("QuotaExceed.ShareImageUser",
                     f"An image can be shared with at most {SHARE_ACCOUNTS_LIMIT} accounts.")
    if new_accounts:
        _check_receive_limits(tx, new_accounts)

    shared_time = iso(ctx.now())
    shares = (*kept, *(m.SharePermission(a, shared_time) for a in new_accounts))
    if shares != image.shares or public_after != image.is_public:
        tx.put(tables.IMAGES, dataclasses.replace(image, shares=shares, is_public=public_after))
    return {}
