"""Replay: any aggregate as it stood at a version or a moment, and a job's tree at a moment."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.errors import AggregateNotFoundError
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.projections.event_log import EventLog
from tasktrail.projections.queries import NotFoundError


class AggregateView(BaseModel):
    aggregate_type: str
    id: UUID
    version: int
    state: str
    modified_on: datetime
    fields: dict[str, Any]


class TransitionView(BaseModel):
    version: int
    timestamp: datetime
    event_type: str
    trigger: str
    from_state: str | None
    to_state: str
    user: str
    correlation_id: str
    causation_id: UUID | None
    payload: dict[str, Any]


_HIDDEN = {"state", "origin_meta"}


def view(aggregate: StateMachineAggregate) -> AggregateView:
    fields = {
        k: _plain(v)
        for k, v in vars(aggregate).items()
        if not k.startswith("_") and k not in _HIDDEN
    }
    return AggregateView(
        aggregate_type=type(aggregate).__name__,
        id=aggregate.id,
        version=aggregate.version,
        state=aggregate.state.value,
        modified_on=aggregate.modified_on,
        fields=fields,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def version_at(store: EventLog, aggregate_id: UUID, at: datetime) -> int:
    """The last version recorded at or before ``at`` (0 if the aggregate did not exist yet)."""
    version = 0
    for event in store.events_of(aggregate_id):
        if event.timestamp > at:
            break
        version = event.originator_version
    return version


def state_at(
    store: EventLog, aggregate_id: UUID, *, version: int | None = None, at: datetime | None = None
) -> AggregateView:
    """The aggregate as of ``version`` or moment ``at`` (default: now)."""
    if at is not None:
        version = version_at(store, aggregate_id, at)
        if version == 0:
            raise NotFoundError(f"{aggregate_id} did not exist yet at {at.isoformat()}")
    try:
        return view(store.load_any(aggregate_id, version))
    except AggregateNotFoundError:
        raise NotFoundError(f"no events for {aggregate_id}") from None


def transitions(
    store: EventLog, aggregate_id: UUID, until: int | None = None
) -> list[TransitionView]:
    """The path of transitions that led an aggregate to its state (up to version ``until``)."""
    path = []
    for event in store.events_of(aggregate_id, until):
        payload = event.model_dump(
            mode="json",
            exclude={
                "originator_id",
                "originator_version",
                "timestamp",
                "trigger",
                "from_state",
                "to_state",
                "meta",
                "originator_topic",
            },
        )
        path.append(
            TransitionView(
                version=event.originator_version,
                timestamp=event.timestamp,
                event_type=type(event).__name__,
                trigger=event.trigger,
                from_state=event.from_state,
                to_state=event.to_state,
                user=event.meta.user_id,
                correlation_id=event.meta.correlation_id,
                causation_id=event.meta.causation_id,
                payload=payload,
            )
        )
    if not path:
        raise NotFoundError(f"no events for {aggregate_id}")
    return path


def job_tree_at(store: EventLog, job_id: UUID, at: datetime | None = None) -> dict[str, Any]:
    """The job and its steps, each as it stood at ``at``; steps not yet begun are left out."""
    job = state_at(store, job_id, at=at)
    if job.aggregate_type != Job.__name__:
        raise NotFoundError(f"{job_id} is a {job.aggregate_type}, not a Job")
    steps = []
    for step_id in job.fields["step_ids"]:
        try:
            steps.append(state_at(store, UUID(str(step_id)), at=at))
        except NotFoundError:
            continue
    return {"job": job.model_dump(mode="json"), "steps": [s.model_dump(mode="json") for s in steps]}
