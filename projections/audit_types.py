"""oVirt's AuditLogType: each type's id, severity and message template, and how oVirt renders it.

Every type tasktrail's commands log is here (a test checks the domain's against this table),
with its id and severity from ``common/AuditLogType.java`` and its template from
``dal/.../bundles/AuditLogMessages.properties``. A type oVirt has no template for writes no
row (``AuditLogDirector``: "Unable to create AuditLog"), and so does one missing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType


class Severity(IntEnum):
    """``AuditLogSeverity.getValue()``."""

    NORMAL = 0
    WARNING = 1
    ERROR = 2
    ALERT = 10


@dataclass(frozen=True)
class AuditLogType:
    id: int
    severity: Severity
    template: str


_VM_REMOVED_BUT = (
    "but the following disks could not be removed: ${DisksNames}. These disks will appear in "
    "the main disks tab in illegal state, please remove manually when possible."
)

AUDIT_LOG_TYPES = MappingProxyType(
    {
        "USER_ADD_VM": AuditLogType(
            34, Severity.NORMAL, "VM ${VmName} was created by ${UserName}."
        ),
        "USER_ADD_VM_STARTED": AuditLogType(
            37, Severity.NORMAL, "VM ${VmName} creation was initiated by ${UserName}."
        ),
        "USER_ADD_VM_FINISHED_SUCCESS": AuditLogType(
            53, Severity.NORMAL, "VM ${VmName} creation has been completed."
        ),
        "USER_ADD_VM_FINISHED_FAILURE": AuditLogType(
            60, Severity.ERROR, "Failed to complete VM ${VmName} creation."
        ),
        "USER_FAILED_ADD_VM": AuditLogType(
            57, Severity.ERROR, "Failed to create VM ${VmName} (User: ${UserName})."
        ),
        "USER_REMOVE_VM_FINISHED": AuditLogType(
            113, Severity.NORMAL, "VM ${VmName} was successfully removed by ${UserName}."
        ),
        "USER_REMOVE_VM_FINISHED_INTERNAL": AuditLogType(
            1130, Severity.NORMAL, "VM ${VmName} was successfully removed."
        ),
        "USER_REMOVE_VM_FINISHED_WITH_ILLEGAL_DISKS": AuditLogType(
            172,
            Severity.WARNING,
            f"VM ${{VmName}} has been removed by ${{UserName}}, {_VM_REMOVED_BUT}",
        ),
        "USER_REMOVE_VM_FINISHED_WITH_ILLEGAL_DISKS_INTERNAL": AuditLogType(
            1720, Severity.WARNING, f"VM ${{VmName}} has been removed, {_VM_REMOVED_BUT}"
        ),
        "DELETE_IMAGE_GROUP_TASK_FAILED": AuditLogType(
            2053,
            Severity.ERROR,
            "Image group deletion task for disk ${DiskId} with volume(s) [${VolumeIds}] failed. "
            "Manual volume removal might be required.",
        ),
        "USER_ADD_STORAGE_POOL": AuditLogType(
            950,
            Severity.NORMAL,
            "Data Center ${StoragePoolName}, Compatibility Version ${CompatibilityVersion} and "
            "Quota Type ${QuotaEnforcementType} was added by ${UserName}",
        ),
        "USER_ADD_STORAGE_POOL_FAILED": AuditLogType(
            951, Severity.ERROR, "Failed to add Data Center ${StoragePoolName}. (User: ${UserName})"
        ),
        "TASK_STOPPING_ASYNC_TASK": AuditLogType(
            9500, Severity.NORMAL, "Stopping async task ${CommandName} that started at ${Date}"
        ),
        "TASK_CLEARING_ASYNC_TASK": AuditLogType(
            9501,
            Severity.NORMAL,
            "Clearing asynchronous task ${CommandName} that started at ${Date}",
        ),
        "USER_ADD_EXTERNAL_JOB": AuditLogType(
            11000, Severity.NORMAL, "New external Job ${description} was added by user ${UserName}"
        ),
        "USER_ADD_EXTERNAL_JOB_FAILED": AuditLogType(
            11001, Severity.ERROR, "Failed to add new external Job ${description}"
        ),
    }
)

_VARIABLE = re.compile(r"\$\{\w*\}")
UNKNOWN_VALUE = "<UNKNOWN>"
_NO_REASON = " No reason was returned for this operation failure. See logs for further details."


def render(template: str, values: dict[str, str]) -> str:
    """oVirt's MessageResolver: each ``${Name}`` is looked up lower-cased; a missing or empty
    value reads ``<UNKNOWN>`` (``reason`` gets oVirt's "No reason…" sentence and
    ``optionalReason`` nothing)."""
    lowered = {k.lower(): v for k, v in values.items()}
    return _VARIABLE.sub(lambda m: _value(m.group()[2:-1].lower(), lowered), template)


def _value(token: str, values: dict[str, str]) -> str:
    found = values.get(token)
    if found:
        return found
    return {"reason": _NO_REASON, "optionalreason": ""}.get(token, UNKNOWN_VALUE)
