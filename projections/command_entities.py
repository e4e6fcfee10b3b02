"""``tt_command``, ``command_entities`` and ``business_entity_snapshot``: commands and undo data.

``tt_command`` holds every command, as tasktrail has it, for good. ``command_entities`` holds
what oVirt's CommandBase persists, for as long as oVirt keeps it: a child whose parent is
persisted with a callback from its creation (NOT_STARTED), a command with a callback of its own
from execute (ACTIVE; one that fails validation never appears), and the whole hierarchy is
deleted when its root ends (``removeAllCommandsInHierarchy``). Commands without a callback
under a parent without one (AddVm, AddEmptyStoragePool) are never there.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import NAMESPACE_OID, UUID, uuid5

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import ENDED_STATUSES
from tasktrail.domain.model.events import Transitioned
from tasktrail.projections.changes import Change, Deferred, Delete, Insert, Row, Rows, Update
from tasktrail.projections.ovirt_codes import (
    EMPTY_SESSION_SEQ_ID,
    RETURN_VALUE_CLASS,
    SNAPSHOT_ENTITY_CLASSES,
    SNAPSHOT_TYPES,
    STATUS_SNAPSHOT_CLASS,
    ZERO_UUID,
    action,
    user_uuid,
)

_ENDED = {s.value for s in ENDED_STATUSES}
_WITH_MESSAGES = (
    Command.ValidationFailed,
    Command.ExecutionFailed,
    Command.Failed,
    Command.EndedWithFailure,
)
_FINALIZED = (Command.EndedSuccessfully, Command.EndedWithFailure)
"""After these a root's finalizeCommand deletes its hierarchy."""


def project_command(event: Transitioned) -> list[Change]:
    if isinstance(event, Command.Created):
        return _created(event)
    key = {"command_id": event.originator_id}
    return [
        Update("tt_command", key, _tracked(event)),
        *_persisted(event, key),
        *_snapshots(event),
    ]


def _created(event: Any) -> list[Change]:
    command = {
        "command_id": event.originator_id,
        "command_type": event.action_type,
        "status": event.to_state,
        "parent_command_id": event.parent_command_id,
        "root_command_id": event.root_command_id or event.originator_id,
        "job_id": event.job_id,
        "step_id": None,
        "callback_enabled": event.has_callback,
        "executed": False,
        "user_id": event.meta.user_id,
        "correlation_id": event.meta.correlation_id,
        "created_at": event.timestamp,
        "ended_at": None,
        "parameters": json.dumps(event.parameters, sort_keys=True),
        "messages": None,
    }
    parent = event.parent_command_id
    if parent is None:
        return [Insert("tt_command", command)]
    return [Insert("tt_command", command), Deferred(lambda rows: _under(rows, parent, command))]


def _under(rows: Rows, parent_id: UUID, command: Row) -> list[Change]:
    """CommandBase.parentHasCallback: the parent is persisted, with its callback enabled."""
    parent = rows.row("command_entities", {"command_id": parent_id})
    if parent is None or not parent["callback_enabled"]:
        return []
    return [Insert("command_entities", _entity(command, _return_value(valid=False)))]


def _entity(command: Row, return_value: str) -> Row:
    """A command_entities row as CommandEntityDaoImpl writes it."""
    ovirt = action(command["command_type"])
    context = {
        "jobId": _text(command["job_id"]),
        "stepId": _text(command["step_id"]),
        "executionMethod": "AsJob" if command["parent_command_id"] is None else "AsStep",
    }
    return {
        "command_id": command["command_id"],
        "command_type": ovirt.id,
        "root_command_id": command["root_command_id"],
        "command_parameters": command["parameters"],
        "command_params_class": ovirt.parameters_class,
        "created_at": command["created_at"],
        "status": command["status"],
        "callback_enabled": command["callback_enabled"],
        "callback_notified": False,
        "return_value": return_value,
        "return_value_class": RETURN_VALUE_CLASS,
        "executed": command["executed"],
        "user_id": user_uuid(command["user_id"]),
        "parent_command_id": command["parent_command_id"] or ZERO_UUID,
        "data": "{}",
        "engine_session_seq_id": EMPTY_SESSION_SEQ_ID,
        "command_context": json.dumps(context),
    }


def _text(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _return_value(
    *,
    valid: bool,
    succeeded: bool = False,
    value: Any = None,
    validation: tuple[str, ...] = (),
    failed: tuple[str, ...] = (),
) -> str:
    """The ActionReturnValue fields tasktrail knows, under oVirt's JSON names."""
    return json.dumps(
        {
            "valid": valid,
            "validationMessages": list(validation),
            "succeeded": succeeded,
            "actionReturnValue": value,
            "executeFailedMessages": list(failed),
        },
        sort_keys=True,
    )


def _tracked(event: Transitioned) -> Row:
    values: Row = {"status": event.to_state}
    if event.to_state in _ENDED:
        values["ended_at"] = event.timestamp
    if isinstance(event, Command.Activated):
        values["step_id"] = event.step_id
    if isinstance(event, Command.Executed):
        values["executed"] = True
    if isinstance(event, _WITH_MESSAGES):
        values["messages"] = json.dumps(list(event.messages))
    return values


def _persisted(event: Transitioned, key: Row) -> list[Change]:
    command_id = event.originator_id
    if isinstance(event, Command.Activated):
        return [Deferred(lambda rows: _executing(rows, command_id))]
    changes: list[Change] = [Update("command_entities", key, _entity_changes(event))]
    if isinstance(event, Command.Succeeded | Command.Failed):
        changes.append(Deferred(lambda rows: _notified(rows, command_id)))
    if isinstance(event, _FINALIZED):
        changes.append(Deferred(lambda rows: _finalized(rows, command_id)))
    return changes


def _executing(rows: Rows, command_id: UUID) -> list[Change]:
    """execute(): a command with a callback is persisted ACTIVE (inserted, if its parent had
    no callback to persist it when it was created)."""
    key = {"command_id": command_id}
    command = rows.row("tt_command", key)
    assert command is not None  # its Created event came first
    entity = rows.row("command_entities", key)
    if entity is not None:
        context = {**json.loads(entity["command_context"]), "stepId": _text(command["step_id"])}
        values = {"status": command["status"], "command_context": json.dumps(context)}
        return [Update("command_entities", key, values)]
    if not command["callback_enabled"]:
        return []
    return [Insert("command_entities", _entity(command, _return_value(valid=True)))]


def _entity_changes(event: Transitioned) -> Row:
    values: Row = {"status": event.to_state}
    if isinstance(event, Command.Executed):
        values["executed"] = True
        values["return_value"] = _return_value(
            valid=True, succeeded=event.succeeded, value=event.return_value
        )
    if isinstance(event, Command.ExecutionFailed):
        values["return_value"] = _return_value(valid=True, failed=event.messages)
    if isinstance(event, Command.ValidationFailed):
        values["return_value"] = _return_value(valid=False, validation=event.messages)
    return values


def _notified(rows: Rows, command_id: UUID) -> list[Change]:
    """The callback was told the command ended (UpdateCommandEntityNotified)."""
    command = rows.row("tt_command", {"command_id": command_id})
    if command is None or not command["callback_enabled"]:
        return []
    return [Update("command_entities", {"command_id": command_id}, {"callback_notified": True})]


def _finalized(rows: Rows, command_id: UUID) -> list[Change]:
    """A root's end deletes its whole hierarchy (the root's own row included)."""
    command = rows.row("tt_command", {"command_id": command_id})
    if command is None or command["parent_command_id"] is not None:
        return []
    return [Delete("command_entities", {"root_command_id": command_id})]


def _snapshots(event: Transitioned) -> list[Change]:
    if isinstance(event, Command.EntitySnapshotted):
        return [Deferred(lambda rows: _snapshot(rows, event))]
    if isinstance(event, Command.Compensated | Command.SnapshotsCleared):
        return [Delete("business_entity_snapshot", {"command_id": event.originator_id})]
    return []


def _snapshot(rows: Rows, event: Any) -> list[Change]:
    """DefaultCompensationContext's row: classes by Java name, numbered from 1 in the command."""
    command_id, snapshot = event.originator_id, event.snapshot
    command = rows.row("tt_command", {"command_id": command_id})
    assert command is not None  # its Created event came first
    earlier = rows.count("business_entity_snapshot", {"command_id": command_id})
    status_only = snapshot.snapshot_type == "CHANGED_STATUS_ONLY"
    row = {
        "id": uuid5(NAMESPACE_OID, f"{command_id}:{event.originator_version}"),
        "command_id": command_id,
        "command_type": action(command["command_type"]).command_class,
        "entity_id": str(snapshot.entity_id),
        "entity_type": SNAPSHOT_ENTITY_CLASSES.get(snapshot.entity_type, snapshot.entity_type),
        "entity_snapshot": json.dumps({"id": str(snapshot.entity_id), **snapshot.state}),
        "snapshot_class": STATUS_SNAPSHOT_CLASS if status_only else None,
        "snapshot_type": SNAPSHOT_TYPES.get(snapshot.snapshot_type),
        "insertion_order": earlier + 1,
        "started_at": event.timestamp,
    }
    return [Insert("business_entity_snapshot", row)]
