"""``audit_log``: the user-facing sentences oVirt writes (AuditLogType), one per notable event."""

from __future__ import annotations

from dataclasses import dataclass

from domain.model.events import Transitioned
from projections.changes import AuditEntry, Change, Name, aggregate_type, event_type


@dataclass(frozen=True)
class Sentence:
    log_type: str
    severity: str
    template: str
    """``{user}``, ``{detail}`` and the looked-up ``{vm}``, ``{disk}``, ``{job}`` are filled in."""
    detail: str | None = None
    """The event field whose text fills ``{detail}``."""


_NAMES = {
    "Vm": ("vm", "vm_static", "vm_guid", "vm_name"),
    "Disk": ("disk", "images", "image_guid", "disk_alias"),
    "Job": ("job", "job", "job_id", "description"),
}

SENTENCES: dict[tuple[str, str], Sentence] = {
    ("Vm", "Created"): Sentence("USER_ADD_VM", "normal", "VM {vm} was created by {user}."),
    ("Vm", "Removed"): Sentence("USER_REMOVE_VM", "normal", "VM {vm} was removed by {user}."),
    ("Disk", "Removed"): Sentence("IRS_IMAGE_DELETED", "normal", "Disk {disk} was removed."),
    ("Disk", "MarkedIllegal"): Sentence(
        "IRS_IMAGE_DELETE_FAILED", "error", "Failed to remove disk {disk}."
    ),
    ("Job", "Finished"): Sentence("JOB_FINISHED", "normal", "Completed {job}."),
    ("Job", "Failed"): Sentence(
        "JOB_FAILED", "error", "Failed to complete {job}: {detail}", "reason"
    ),
    ("Command", "ValidationFailed"): Sentence(
        "USER_FAILED_ACTION", "warning", "Action refused for {user}: {detail}", "messages"
    ),
    ("AsyncTask", "ClearFailed"): Sentence(
        "TASK_CLEARING_FAILED", "warning", "Failed to clear a storage task: {detail}", "error"
    ),
}


def project_audit(event: Transitioned, position: int) -> list[Change]:
    kind = aggregate_type(event)
    sentence = SENTENCES.get((kind, event_type(event)))
    if sentence is None:
        return []
    message = sentence.template.replace("{user}", _safe(event.meta.user_id))
    message = message.replace("{detail}", _safe(_detail(event, sentence.detail)))
    return [
        AuditEntry(
            {
                "audit_log_id": position,
                "log_time": event.timestamp,
                "log_type": sentence.log_type,
                "severity": sentence.severity,
                "message": message,
                "user_name": event.meta.user_id,
                "correlation_id": event.meta.correlation_id,
                "entity_id": event.originator_id,
                "command_id": event.meta.causation_id,
            },
            _names(kind, event),
        )
    ]


def _detail(event: Transitioned, field: str | None) -> str:
    value = getattr(event, field, "") if field else ""
    return ", ".join(value) if isinstance(value, list) else str(value or "")


def _names(kind: str, event: Transitioned) -> dict[str, Name]:
    if kind not in _NAMES:
        return {}
    placeholder, table, key_column, name_column = _NAMES[kind]
    return {placeholder: Name(table, key_column, name_column, event.originator_id)}


def _safe(text: str) -> str:
    """Free text must not be mistaken for placeholders."""
    return text.replace("{", "{{").replace("}", "}}")
