"""``command_entities`` and ``business_entity_snapshot``: commands and their undo data."""

from __future__ import annotations

import json

from domain.model.command.aggregate import Command
from domain.model.command.machine import ENDED_STATUSES
from domain.model.events import Transitioned
from projections.changes import Change, Delete, Insert, Update

_ENDED = {s.value for s in ENDED_STATUSES}
_WITH_MESSAGES = (
    Command.ValidationFailed,
    Command.ExecutionFailed,
    Command.Failed,
    Command.EndedWithFailure,
)


def project_command(event: Transitioned) -> list[Change]:
    key = {"command_id": event.originator_id}
    if isinstance(event, Command.Created):
        return [
            Insert(
                "command_entities",
                {
                    **key,
                    "command_type": event.action_type,
                    "root_command_id": event.root_command_id or event.originator_id,
                    "parent_command_id": event.parent_command_id,
                    "command_parameters": json.dumps(event.parameters, sort_keys=True),
                    "created_at": event.timestamp,
                    "status": event.to_state,
                    "callback_enabled": event.has_callback,
                    "executed": False,
                    "user_id": event.meta.user_id,
                    "correlation_id": event.meta.correlation_id,
                    "job_id": event.job_id,
                },
            )
        ]
    return [Update("command_entities", key, _changed(event)), *_snapshots(event)]


def _changed(event: Transitioned) -> dict[str, object]:
    values: dict[str, object] = {"status": event.to_state}
    if event.to_state in _ENDED:
        values["ended_at"] = event.timestamp
    if isinstance(event, Command.Activated):
        values["step_id"] = event.step_id
    if isinstance(event, Command.Executed):
        values["executed"] = True
    if isinstance(event, _WITH_MESSAGES):
        values["return_value"] = json.dumps(list(event.messages))
    return values


def _snapshots(event: Transitioned) -> list[Change]:
    if isinstance(event, Command.EntitySnapshotted):
        snapshot = event.snapshot
        return [
            Insert(
                "business_entity_snapshot",
                {
                    "command_id": event.originator_id,
                    "insertion_order": event.originator_version,
                    "entity_id": snapshot.entity_id,
                    "entity_type": snapshot.entity_type,
                    "entity_snapshot": json.dumps(snapshot.state, sort_keys=True),
                    "snapshot_type": snapshot.snapshot_type,
                    "started_at": event.timestamp,
                },
            )
        ]
    if isinstance(event, Command.Compensated | Command.SnapshotsCleared):
        return [Delete("business_entity_snapshot", {"command_id": event.originator_id})]
    return []
