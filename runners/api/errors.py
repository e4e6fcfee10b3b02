"""What can go wrong with a request, as HTTP statuses; both APIs render these their own way.

oVirt's API shows them as ``<fault>`` bodies (``reason`` and ``detail``), tasktrail's as JSON
``{"detail": …}``. Tasktrail's own errors raised below a route are translated here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from tasktrail.domain.model.errors import AggregateNotFoundError, RetryableError, TasktrailError
from tasktrail.projections.queries import NotFoundError


class ApiError(Exception):
    status = 400
    reason = "Bad Request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadInputError(ApiError):
    """Malformed input: a body, a parameter, an id or a value of the wrong type."""


class UnauthenticatedError(ApiError):
    status = 401
    reason = "Unauthorized"


class ForbiddenError(ApiError):
    status = 403
    reason = "Forbidden"


class UnknownIdError(ApiError):
    status = 404
    reason = "Not Found"


class RefusedError(ApiError):
    """A request the engine refused (oVirt: HTTP 409, reason "Operation Failed")."""

    status = 409
    reason = "Operation Failed"

    def __init__(self, detail: str, command_id: UUID | None = None) -> None:
        super().__init__(detail)
        self.command_id = command_id
        """The command that records the refusal, if one does."""


class BodyTooLargeError(ApiError):
    status = 413
    reason = "Payload Too Large"


class UnsupportedMediaTypeError(ApiError):
    status = 415
    reason = "Unsupported Media Type"


class TryAgainError(ApiError):
    """Nothing was decided (a race lost, no engine answered in time): try again later."""

    status = 503
    reason = "Service Unavailable"


UNAUTHORIZED = "authentication required: a valid bearer token or user name and password"


def translated(error: TasktrailError) -> ApiError:
    """The HTTP status of one of tasktrail's own errors, its message kept."""
    if isinstance(error, NotFoundError | AggregateNotFoundError):
        return UnknownIdError(str(error))
    if isinstance(error, RetryableError):
        return TryAgainError(str(error))
    return BadInputError(str(error))


def refuse_unknown_query(given: Iterable[str], accepted: Iterable[str]) -> None:
    """Query parameters a route does not accept are refused, naming them: a misspelt filter
    must not silently widen a listing."""
    known = sorted(set(accepted))
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise BadInputError(
            f"unknown query parameter(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(known) or 'none'}"
        )
