"""``audit_log``: oVirt's audit log entries, one per ``AuditNote`` a command's event carries.

A command decides its AuditLogType and the template's values when it executes or ends
(oVirt's getAuditLogTypeValue and custom values); the row is rendered from that note, so it
stays right after the VM or disk it names is gone. The ids oVirt's AuditLogableBase takes from
the command (its job, the VM and storage pool its parameters name) come from ``tt_command``.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from tasktrail.domain.model.events import AuditNote, Transitioned
from tasktrail.projections.audit_types import AUDIT_LOG_TYPES, render
from tasktrail.projections.changes import Change, Deferred, Insert, Row, Rows
from tasktrail.projections.job import CORRELATION_ID_WIDTH
from tasktrail.projections.ovirt_codes import as_uuid, fit, user_uuid

_AS_OVIRT_WRITES = {
    "origin": "oVirt",
    "custom_event_id": -1,
    "event_flood_in_sec": 30,
    "processed": False,
    "deleted": False,
}
"""Columns AuditLogDirector always writes the same way for the engine's own entries."""


def project_audit(event: Transitioned, position: int) -> list[Change]:
    """The entry of an event that carries an audit note oVirt has a template for."""
    note: AuditNote | None = getattr(event, "audit", None)
    if note is None or note.log_type not in AUDIT_LOG_TYPES:
        return []
    return [Deferred(lambda rows: [Insert("audit_log", _entry(rows, event, note, position))])]


def _entry(rows: Rows, event: Transitioned, note: AuditNote, position: int) -> Row:
    kind, user = AUDIT_LOG_TYPES[note.log_type], event.meta.user_id
    values = {"UserName": user, **note.values}
    command = rows.row("tt_command", {"command_id": event.originator_id}) or {}
    parameters: dict[str, Any] = json.loads(command.get("parameters") or "{}")
    return {
        "audit_log_id": position,
        "user_id": user_uuid(user),
        "user_name": user,
        "vm_id": _id(parameters.get("vm_id")),
        "vm_name": note.values.get("VmName", ""),
        "log_time": event.timestamp,
        "log_type_name": note.log_type,
        "log_type": kind.id,
        "severity": int(kind.severity),
        "message": render(kind.template, values),
        "storage_pool_id": _id(parameters.get("storage_pool_id")),
        "storage_pool_name": note.values.get("StoragePoolName", ""),
        "correlation_id": fit(event.meta.correlation_id, CORRELATION_ID_WIDTH),
        "job_id": command.get("job_id"),
        **_AS_OVIRT_WRITES,
    }


def _id(value: Any) -> UUID | None:
    return as_uuid(value) if isinstance(value, str) else None
