"""``job``, ``step`` and their subject entities: what an operator watches while an action runs.

Rows are written as oVirt's JobDao/StepDao write them (statuses and step types by name, the
owner's uuid, no engine session: -1; a job's ``last_update_time`` moves with each change of
the job or of one of its steps) and deleted, with their steps and subject entities, when
the job cleanup deletes the job (``Job.CleanedUp``). The owner's name, why a job or step failed
and which step failed a job go to ``tt_job`` and ``tt_step``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tasktrail.domain.model.events import Subject, Transitioned
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.registry import event_classes
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.projections.changes import Change, Deferred, Delete, Insert, Rows, Update
from tasktrail.projections.ovirt_codes import EMPTY_SESSION_SEQ_ID, as_uuid, fit, user_uuid

_ENDED = {"FINISHED", "FAILED", "ABORTED"}
CORRELATION_ID_WIDTH = 50
# Events the aggregates do not declare for type checkers, typed as theirs are.
_CLEANED_UP: type[Any] = event_classes(Job)["CleanedUp"]
_AUTO_CLEAR_SET: type[Any] = event_classes(Job)["AutoClearSet"]
_PROGRESS_REPORTED: type[Any] = event_classes(Step)["ProgressReported"]


def project_job(event: Transitioned) -> list[Change]:
    key = {"job_id": event.originator_id}
    if isinstance(event, Job.Started):
        return _started_job(event)
    if isinstance(event, _CLEANED_UP):
        return [Delete("job", key)]
    values: dict[str, object] = {"status": event.to_state, "last_update_time": event.timestamp}
    if _ends(event):
        values["end_time"] = event.timestamp
    if isinstance(event, _AUTO_CLEAR_SET):
        values["is_auto_cleared"] = True
    changes: list[Change] = [Update("job", key, values)]
    if isinstance(event, Job.Failed):
        failure = {"reason": event.reason, "failed_step_id": event.failed_step_id}
        changes.append(Update("tt_job", key, failure))
    return changes


def _ends(event: Transitioned) -> bool:
    """A move into an end state (a job's auto-clear flag set after it ended is not one)."""
    return event.to_state in _ENDED and event.from_state != event.to_state


def _started_job(event: Any) -> list[Change]:
    job_id, user = event.originator_id, event.meta.user_id
    job = {
        "job_id": job_id,
        "action_type": event.action_type,
        "description": event.description,
        "status": event.to_state,
        "owner_id": user_uuid(user),
        "visible": True,
        "start_time": event.timestamp,
        "end_time": None,
        "last_update_time": event.timestamp,
        "correlation_id": fit(event.meta.correlation_id, CORRELATION_ID_WIDTH),
        "is_external": event.external,
        "is_auto_cleared": event.auto_cleared,
        "engine_session_seq_id": EMPTY_SESSION_SEQ_ID,
    }
    subjects = {s.entity_id: s for s in event.subjects}
    return [
        Insert("job", job),
        Insert("tt_job", {"job_id": job_id, "owner": user, "reason": None, "failed_step_id": None}),
        *(
            Insert("job_subject_entity", {"job_id": job_id, **_subject(s)})
            for s in subjects.values()
        ),
    ]


def _subject(subject: Subject) -> dict[str, object]:
    return {"entity_id": subject.entity_id, "entity_type": subject.entity_type}


def project_step(event: Transitioned) -> list[Change]:
    key = {"step_id": event.originator_id}
    if isinstance(event, Step.Started):
        return _started_step(event)
    moment = event.timestamp
    changes: list[Change] = [
        Update("step", key, _step_changes(event)),
        Deferred(lambda rows: _job_touched(rows, key, moment)),
    ]
    if isinstance(event, Step.Failed):
        changes.append(Insert("tt_step", {**key, "reason": event.reason}))
    return changes


def _job_touched(rows: Rows, step: dict[str, Any], moment: datetime) -> list[Change]:
    """JobRepository.updateStep: every step saved moves its job's last_update_time (forward
    only: an imported bundle holds the job's and its steps' events in another order)."""
    found = rows.row("step", step)
    job = rows.row("job", {"job_id": found["job_id"]}) if found is not None else None
    if job is None or _utc(job["last_update_time"]) >= moment:
        return []
    return [Update("job", {"job_id": job["job_id"]}, {"last_update_time": moment})]


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time tasktrail stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _step_changes(event: Any) -> dict[str, object]:
    values: dict[str, object] = {"status": event.to_state}
    if _ends(event):
        values["end_time"] = event.timestamp
    if isinstance(event, Step.ExternalAttached):
        values |= {
            "external_id": as_uuid(event.external_id),
            "external_system_type": event.external_system_type,
        }
    if isinstance(event, _PROGRESS_REPORTED):
        values["progress"] = event.progress
    return values


def _started_step(event: Any) -> list[Change]:
    step_id = event.originator_id
    step = {
        "step_id": step_id,
        "parent_step_id": event.parent_step_id,
        "job_id": event.job_id,
        "step_type": event.step_type.value,
        "description": event.description,
        "step_number": event.step_number,
        "status": event.to_state,
        "start_time": event.timestamp,
        "end_time": None,
        "correlation_id": fit(event.meta.correlation_id, CORRELATION_ID_WIDTH),
        "external_id": None,
        "external_system_type": None,
        "is_external": event.external,
        "progress": None,
    }
    subjects = {(s.entity_id, s.entity_type): s for s in event.subjects}
    return [
        Insert("step", step),
        *(
            Insert(
                "step_subject_entity",
                {"step_id": step_id, **_subject(s), "step_entity_weight": s.weight},
            )
            for s in subjects.values()
        ),
    ]
