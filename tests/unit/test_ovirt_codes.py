"""oVirt's numbers, names and message rules, as the read model writes them (no database)."""

from __future__ import annotations

import re
from pathlib import Path

from tasktrail.domain.actions.registry import ACTION_TYPES
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.projections.audit_types import AUDIT_LOG_TYPES, UNKNOWN_VALUE, render
from tasktrail.projections.ovirt_codes import (
    ASYNC_TASK_RESULT,
    ASYNC_TASK_STATUS,
    ASYNC_TASK_TYPE,
    UNKNOWN_ACTION,
    action,
)

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def test_every_action_tasktrail_runs_has_its_ovirt_action_type_id_and_classes() -> None:
    ids = {str(name): action(str(name)).id for name in ACTION_TYPES}
    assert UNKNOWN_ACTION.id not in ids.values()
    assert ids["RemoveVm"] == 4
    assert (ids["RemoveImage"], ids["RemoveAllVmImages"], ids["AddVm"]) == (211, 212, 1)
    assert action("RemoveVm").parameters_class.endswith(".common.action.RemoveVmParameters")


def test_every_audit_log_type_the_domain_writes_has_ovirts_id_severity_and_template() -> None:
    """The names each command hands its AuditNote, read from the domain's source."""
    written = set()
    for source in DOMAIN.rglob("*.py"):
        for line in source.read_text().splitlines():
            if "log_type" in line or "AuditNote(" in line:
                written |= set(re.findall(r'"([A-Z][A-Z0-9_]{4,})"', line))
    assert written
    assert written <= set(AUDIT_LOG_TYPES)
    assert AUDIT_LOG_TYPES["USER_REMOVE_VM_FINISHED_WITH_ILLEGAL_DISKS"].id == 172
    assert int(AUDIT_LOG_TYPES["DELETE_IMAGE_GROUP_TASK_FAILED"].severity) == 2


def test_async_task_enums_are_stored_as_ovirts_values_and_ordinals() -> None:
    assert {s.value for s in AsyncTaskStatus} <= set(ASYNC_TASK_STATUS)
    assert {r.value for r in AsyncTaskResult} <= set(ASYNC_TASK_RESULT)
    assert {t.value for t in AsyncTaskType} <= set(ASYNC_TASK_TYPE)
    assert (ASYNC_TASK_STATUS["running"], ASYNC_TASK_RESULT["success"]) == (2, 0)
    assert (ASYNC_TASK_TYPE["deleteImage"], ASYNC_TASK_TYPE["switchMaster"]) == (5, 19)


def test_message_resolver_lower_cases_placeholders_and_says_unknown_for_missing_values() -> None:
    template = AUDIT_LOG_TYPES["USER_REMOVE_VM_FINISHED_WITH_ILLEGAL_DISKS"].template
    message = render(template, {"vmname": "web1", "UserName": "admin", "DisksNames": ""})
    assert message.startswith(
        "VM web1 has been removed by admin, but the following disks could not be removed: "
        f"{UNKNOWN_VALUE}."
    )
    assert render("Failed:${reason}|${optionalReason}|", {}) == (
        "Failed: No reason was returned for this operation failure. See logs for further details.||"
    )
