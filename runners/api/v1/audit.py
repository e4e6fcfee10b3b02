"""The audit: the event history with every filter the CLI has, paged with a cursor; the root
commands that failed; and replay of any aggregate at a version or a moment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AwareDatetime, BaseModel

from tasktrail.projections.audit import AuditQuery, FailedCommand
from tasktrail.projections.event_log import EventLog
from tasktrail.projections.replay import (
    AggregateView,
    TransitionView,
    job_tree_at,
    state_at,
    transitions,
)
from tasktrail.runners.api import reading
from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.state import api_state
from tasktrail.runners.api.views import HistoryEvent

router = APIRouter(tags=["audit"])
MAX_VERSION = 2**31 - 1
"""Aggregate versions are stored as 32-bit integers."""
MAX_POSITION = 2**62
"""Positions and offsets in the log are 64-bit integers."""


class HistoryPage(BaseModel):
    events: list[HistoryEvent]
    next_cursor: int | None
    """Pass as ``cursor`` (with the same filters) for the next page; None on the last page.
    (It counts the events before the next page: stable oldest first, as events are only
    appended; newest first, events stored meanwhile shift later pages.)"""


def history_query(
    *,
    entity: Annotated[
        UUID | None,
        Query(
            description="Every event touching this id, and the command families that worked on it."
        ),
    ] = None,
    aggregate: Annotated[UUID | None, Query(description="The events of this aggregate.")] = None,
    user: Annotated[str | None, Query(description="Recorded on behalf of this user.")] = None,
    correlation_id: str | None = None,
    action_type: Annotated[
        str | None,
        Query(description="Of commands of this action, e.g. RemoveVm, and what they caused."),
    ] = None,
    event_type: Annotated[str | None, Query(description="e.g. Failed, EndedWithFailure.")] = None,
    to_state: Annotated[str | None, Query(description="e.g. FAILED.")] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    newest_first: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    cursor: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="next_cursor of the previous page.")
    ] = 0,
) -> AuditQuery:
    return AuditQuery(
        entity=entity,
        aggregate=aggregate,
        user=user,
        correlation_id=correlation_id,
        action_type=action_type,
        event_type=event_type,
        to_state=to_state,
        since=since,
        until=until,
        newest_first=newest_first,
        limit=limit,
        offset=cursor,
    )


@router.get("/history")
def history(
    request: Request, user: Reader, query: Annotated[AuditQuery, Depends(history_query)]
) -> HistoryPage:
    """The event history, oldest first (or newest first), filters combined with AND."""
    events, next_offset = reading.history(api_state(request).runtime.read_model, query)
    return HistoryPage(events=events, next_cursor=next_offset)


@router.get("/failed")
def failed(
    request: Request,
    user: Reader,
    since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[FailedCommand]:
    """Root commands that ended with failure: the step that failed and the storage error."""
    return reading.failed(api_state(request).runtime.read_model, since, limit)


class Replay(BaseModel):
    state: AggregateView
    path: list[TransitionView]
    """Every transition that led there, oldest first."""
    tree: dict[str, Any] | None = None
    """For a job: the job and each of its steps as they stood at that moment."""


@router.get("/replay/{aggregate_id}")
def replay_now(request: Request, aggregate_id: UUID, user: Reader) -> Replay:
    """Any aggregate as it stands now, and every transition that led there."""
    return _replayed(api_state(request).runtime.store, aggregate_id, None, None)


@router.get("/replay/{aggregate_id}/versions/{version}")
def replay_version(
    request: Request,
    aggregate_id: UUID,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    user: Reader,
) -> Replay:
    """The aggregate as it stood at ``version`` (1 is its creation)."""
    return _replayed(api_state(request).runtime.store, aggregate_id, version, None)


@router.get("/replay/{aggregate_id}/moments/{at}")
def replay_moment(request: Request, aggregate_id: UUID, at: AwareDatetime, user: Reader) -> Replay:
    """The aggregate (a job with its steps) as it stood at moment ``at``."""
    return _replayed(api_state(request).runtime.store, aggregate_id, None, at)


def _replayed(
    store: EventLog, aggregate_id: UUID, version: int | None, at: datetime | None
) -> Replay:
    state = state_at(store, aggregate_id, version=version, at=at)
    path = transitions(store, aggregate_id, state.version)
    if state.aggregate_type != "Job":
        return Replay(state=state, path=path)
    return Replay(
        state=state, path=path, tree=job_tree_at(store, aggregate_id, at or state.modified_on)
    )
