"""The live stream of new events, as Server-Sent Events.

Each event is one SSE message: ``id`` is its position in the log, ``event`` its aggregate and
event type (``Command.EndedWithFailure``), ``data`` its JSON. A client that reconnects sends
the last id it saw as ``Last-Event-ID`` (browsers do it themselves) and misses nothing; ``after``
does the same in the URL (``after=0``: the whole log first). Without either, the stream starts
at the current end of the log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from tasktrail.projections.changes import aggregate_type, event_type
from tasktrail.projections.event_log import Recorded
from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.errors import BadInputError, UnknownIdError
from tasktrail.runners.api.state import ApiState, api_state
from tasktrail.runners.api.v1.audit import MAX_POSITION

router = APIRouter(tags=["stream"])
_BATCH = 200
_COMMON = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "trigger",
    "from_state",
    "to_state",
    "meta",
}


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "One message per event."}
    },
)
def events(
    request: Request,
    user: Reader,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="Start after this position.")
    ] = None,
    last_event_id: Annotated[
        str | None, Header(description="Set by a reconnecting client.")
    ] = None,
) -> EventSourceResponse:
    state = api_state(request)
    start = after if after is not None else _position(last_event_id)
    first = state.runtime.store.head() if start is None else start
    return EventSourceResponse(_follow(state, first), ping=15)


@router.get("/events/{position}")
def event_at(
    request: Request, position: Annotated[int, Path(ge=1, le=MAX_POSITION)], user: Reader
) -> dict[str, Any]:
    """One event as the stream sends it: what a link to an event position names."""
    found = api_state(request).runtime.store.read(position - 1, 1)
    if not found or found[0].position != position:
        raise UnknownIdError(f"no event at position {position}")
    return as_json(found[0])


def _position(last_event_id: str | None) -> int | None:
    if last_event_id is None:
        return None
    text = last_event_id.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_POSITION:
        raise BadInputError(f"Last-Event-ID must be a position in the log, not {last_event_id!r}")
    return int(text)


async def _follow(state: ApiState, position: int) -> AsyncIterator[ServerSentEvent]:
    """Every event after ``position``, then each new one as soon as the log watcher has seen
    it (only the watcher asks the database; a stream looks at the watcher's position, often)."""
    store = state.runtime.store
    while True:
        if state.watcher.head <= position:
            await asyncio.sleep(state.settings.stream_poll / 5)
            continue
        for recorded in await run_in_threadpool(store.read, position, _BATCH):
            yield _message(recorded)
            position = recorded.position


def _message(recorded: Recorded) -> ServerSentEvent:
    event = recorded.event
    kind = f"{aggregate_type(event)}.{event_type(event)}"
    return ServerSentEvent(
        data=json.dumps(as_json(recorded)), id=str(recorded.position), event=kind
    )


def as_json(recorded: Recorded) -> dict[str, Any]:
    """An event as the stream sends it: the history's fields and the event's own payload."""
    event = recorded.event
    return {
        "position": recorded.position,
        "timestamp": event.timestamp.isoformat(),
        "aggregate_type": aggregate_type(event),
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "event_type": event_type(event),
        "trigger": event.trigger,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "user": event.meta.user_id,
        "correlation_id": event.meta.correlation_id,
        "causation_id": str(event.meta.causation_id) if event.meta.causation_id else None,
        "payload": event.model_dump(mode="json", exclude=_COMMON),
    }
