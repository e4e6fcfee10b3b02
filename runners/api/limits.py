"""The largest request body accepted: 413 before the body is read when it says it is too big,
and as soon as it grows too big when it does not say (chunked)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tasktrail.runners.api.errors import BodyTooLargeError
from tasktrail.runners.api.ovirt.responses import fault

BUNDLES_PATH = "/api/v1/bundles"
"""Bundle imports, which may be far larger than any other body."""


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, bundle_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.bundle_limit = bundle_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.bundle_limit if scope["path"] == BUNDLES_PATH else self.limit
        too_big = BodyTooLargeError(f"the request body is larger than {limit} bytes")
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refusal(scope, too_big)(scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise too_big
            return message

        await self.app(scope, counting, send)


def _refusal(scope: Scope, error: BodyTooLargeError) -> ASGIApp:
    if str(scope["path"]).startswith("/api/v1"):
        return JSONResponse({"detail": error.detail}, error.status)
    return fault(Headers(scope=scope), error)
