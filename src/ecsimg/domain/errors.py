"""The one error hierarchy: every failure a caller can see carries the API's code and status."""

from __future__ import annotations


class ApiError(Exception):
    """An ECS API error: code, message and HTTP status, as the real service returns them."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.request_id = ""
        """Set by the service to the RequestId of the call that failed (as in its event)."""
        self.call_index: int | None = None
        """Set by a check of several calls to the 0-based index of the call that failed."""

    def to_dict(self, request_id: str = "") -> dict[str, object]:
        """The error body the CLI prints, shaped like the real API's."""
        return {
            "Code": self.code,
            "Message": self.message,
            "HttpStatus": self.http_status,
            "RequestId": request_id or self.request_id,
        }


class DryRunOperation(ApiError):
    """A DryRun request that would have succeeded (the real API reports it as an error)."""

    def __init__(self) -> None:
        super().__init__(
            "DryRunOperation", "Request validation has been passed with DryRun flag set.", 400
        )


class CatalogueError(Exception):
    """The catalogue on disk cannot be used: the message names the file and the problem."""


def read_only_refused(profile_name: str, what: str) -> ApiError:
    """Forbidden.ReadOnly: ``what`` would change the catalogue under a read-only profile."""
    return ApiError("Forbidden.ReadOnly",
                    f"Profile '{profile_name}' is read-only: {what} would change the catalogue.",
                    403)


def missing(name: str) -> ApiError:
    return ApiError(
        "MissingParameter",
        f"The input parameter '{name}' that is mandatory "
        "for processing this request is not supplied.",
        400,
    )


def invalid(name: str, detail: str, code: str = "InvalidParameter", status: int = 400) -> ApiError:
    return ApiError(code, f"The specified parameter '{name}' is not valid: {detail}", status)


def not_found(code: str, message: str) -> ApiError:
    return ApiError(code, message, 404)


def denied(code: str, message: str) -> ApiError:
    return ApiError(code, message, 403)


def image_not_found(image_id: str) -> ApiError:
    return not_found(
        "InvalidImageId.NotFound", f"The specified ImageId '{image_id}' does not exist."
    )


def region_not_found(region_id: str) -> ApiError:
    return not_found(
        "InvalidRegionId.NotFound", f"The specified RegionId '{region_id}' does not exist."
    )
