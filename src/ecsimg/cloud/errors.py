"""Cloud-mode failures that are not API errors: credentials, an unreachable endpoint, a bad reply.

API errors from the cloud are raised as ``ecsimg.domain.errors.ApiError``, exactly as the simulator
raises them; these are the rest, each printed by the CLI as one line.
"""

from __future__ import annotations

from collections.abc import Iterable


class CloudError(Exception):
    """A cloud-mode failure with a one-line message that names what failed and never a secret."""


class CredentialsError(CloudError):
    """The credentials cannot be had: no file, a bad file, an unknown profile, a refused role."""


class EndpointError(CloudError):
    """The ``--endpoint`` URL (or ECSIMG_ENDPOINT) is not one ecsimg can send calls to."""


class Unreachable(CloudError):
    """The endpoint cannot be reached (refused, timed out, dropped): the TUI shows it offline."""

    def __init__(self, message: str, reason: str, *, may_have_arrived: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        """One of ``refused``, ``timeout``, ``dropped``, ``dns``, ``tls``, ``network``."""
        self.may_have_arrived = may_have_arrived
        """True when the request was sent and the answer lost: a mutation may have run."""


class BadResponse(CloudError):
    """The endpoint answered with something that is not the ECS API's JSON (a proxy page, say)."""


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced, for messages built from foreign text."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
