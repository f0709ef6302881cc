"""The gateway's refusals, with the codes, messages and statuses the real endpoint uses."""

from __future__ import annotations

from ecsimg.domain.errors import ApiError, missing

INCOMPLETE = "The request signature does not conform to Aliyun standards."


def missing_parameter(name: str) -> ApiError:
    return missing(name)


def incomplete_signature(detail: str) -> ApiError:
    return ApiError("IncompleteSignature", f"{INCOMPLETE} {detail}", 400)


def signature_does_not_match(string_to_sign: str) -> ApiError:
    return ApiError(
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation. "
        f"server string to sign is:{string_to_sign}",
        400,
    )


def unknown_access_key() -> ApiError:
    return ApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)


def timestamp_format() -> ApiError:
    return ApiError("InvalidTimeStamp.Format",
                    "Specified time stamp or date value is not well formatted.", 400)


def timestamp_expired() -> ApiError:
    return ApiError("InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired.", 400)


def nonce_used() -> ApiError:
    return ApiError("SignatureNonceUsed", "Specified signature nonce was used already.", 400)


def signature_method(method: str) -> ApiError:
    return ApiError("InvalidSignatureMethod",
                    f"Specified signature method '{method}' is not supported.", 400)


def signature_version(version: str) -> ApiError:
    return ApiError("InvalidSignatureVersion",
                    f"Specified signature version '{version}' is not supported.", 400)


def missing_security_token() -> ApiError:
    return ApiError("MissingSecurityToken", "SecurityToken is mandatory for this action.", 400)


def token_mismatch() -> ApiError:
    return ApiError("InvalidSecurityToken.MismatchWithAccessKey",
                    "Specified SecurityToken mismatch with the AccessKey.", 400)


def token_expired() -> ApiError:
    return ApiError("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.", 400)


def invalid_version() -> ApiError:
    return ApiError("InvalidVersion", "Specified parameter Version is not valid.", 400)


def action_not_found() -> ApiError:
    return ApiError("InvalidAction.NotFound",
                    "Specified api is not found, please check your url and method.", 404)


def internal_error() -> ApiError:
    return ApiError("InternalError",
                    "The request processing has failed due to some unknown error.", 500)
