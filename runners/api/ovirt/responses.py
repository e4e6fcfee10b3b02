"""Answers in the format the client asked for: XML unless ``Accept`` prefers JSON.

Faults are answered the same way: ``<fault><reason/><detail/></fault>``, oVirt's error body,
which the SDK turns into an ``Error`` carrying the HTTP code, the reason and the detail.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response

from tasktrail.runners.api.errors import ApiError
from tasktrail.runners.api.ovirt.document import Many, Node, json_body, xml

XML_TYPE = "application/xml"


def wants_json(headers: Headers) -> bool:
    first = headers.get("accept", "").split(",")[0]
    return "json" in first


def document(headers: Headers, tag: str, body: Node | Many, status: int = 200) -> Response:
    """``body`` as the document ``<tag>`` (XML) or as its JSON value."""
    if wants_json(headers):
        return JSONResponse(json_body(body), status)
    return Response(xml(tag, body), status, media_type=XML_TYPE)


def fault(headers: Headers, error: ApiError) -> Response:
    response = document(
        headers,
        "fault",
        Node(fields={"reason": error.reason, "detail": error.detail}),
        error.status,
    )
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="tasktrail"'
    return response
