"""The oVirt tables built from events: exact rows, rebuild, verify, crash-safe batches."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.model.command.aggregate import Command
from domain.model.inventory.vm import Vm
from projections import read_model as read_model_module
from projections.changes import RowChanges
from projections.read_model import ReadModel, status, verify
from projections.tables import SHADOW
from tests.scenario import Scenario


@pytest.fixture
def world(database_url: str) -> Scenario:
    return Scenario(database_url)


def run_remove(
    world: Scenario, disks: int = 3, fail_disk: int | None = None
) -> tuple[UUID, list[UUID], UUID]:
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=disks)
    if fail_disk is not None:
        world.spm.fail_delete.add(disk_ids[fail_disk])  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    world.drive()
    return vm_id, disk_ids, root


def rows(model: ReadModel, table: str, **where: Any) -> list[dict[str, Any]]:
    found = model.rows(getattr(model.tables, table)).values()
    return [r for r in found if all(r[k] == v for k, v in where.items())]


def caught_up(world: Scenario) -> ReadModel:
    """The live read model, rebuilt in small batches (so batch edges fall mid-transaction)."""
    world.read_model.rebuild(batch_size=17)
    return world.read_model


def shadow(world: Scenario) -> ReadModel:
    """A second, empty read model on the same store, to catch up by hand."""
    model = ReadModel(world.database, world.store, SHADOW, "shadow")
    model.drop()
    model.create()
    return model


def test_a_successful_remove_vm_leaves_ovirt_like_rows(world: Scenario) -> None:
    vm_id, _, root_id = run_remove(world)
    model = caught_up(world)
    root = world.command(root_id)

    [job] = rows(model, "job", job_id=root.job_id)
    assert (job["action_type"], job["status"], job["owner_id"]) == ("RemoveVm", "FINISHED", "admin")
    assert job["description"] == "Removing VM web1 from system"
    assert job["correlation_id"] == "corr-rm"
    assert job["end_time"] is not None
    steps = rows(model, "step", job_id=root.job_id)
    by_type = sorted((s["step_type"], s["step_number"], s["status"]) for s in steps)
    assert by_type == sorted(
        [
            ("VALIDATING", 0, "FINISHED"),
            ("EXECUTING", 1, "FINISHED"),
            ("FINALIZING", 2, "FINISHED"),
            ("DELETE_IMAGE", 0, "FINISHED"),
            ("DELETE_IMAGE", 1, "FINISHED"),
            ("DELETE_IMAGE", 2, "FINISHED"),
            ("FINALIZING", 0, "FINISHED"),
            ("FINALIZING", 0, "FINISHED"),
            ("FINALIZING", 0, "FINISHED"),
        ]
    )
    executing = next(s for s in steps if s["step_type"] == "EXECUTING")
    assert {s["parent_step_id"] for s in steps if s["step_type"] == "DELETE_IMAGE"} == {
        executing["step_id"]
    }
    assert all(
        s["external_system_type"] == "VDSM" for s in steps if s["step_type"] == "DELETE_IMAGE"
    )
    commands = rows(model, "command_entities", root_command_id=root_id)
    assert sorted((c["command_type"], c["status"]) for c in commands) == sorted(
        [("RemoveVm", "ENDED_SUCCESSFULLY"), ("RemoveAllVmImages", "ENDED_SUCCESSFULLY")]
        + [("RemoveImage", "ENDED_SUCCESSFULLY")] * 3
    )
    all_images = next(c for c in commands if c["command_type"] == "RemoveAllVmImages")
    assert all_images["parent_command_id"] == root_id
    assert {c["parent_command_id"] for c in commands if c["command_type"] == "RemoveImage"} == {
        root_id
    }
    assert all(c["executed"] and c["ended_at"] for c in commands)
    assert json.loads(
        next(c for c in commands if c["command_id"] == root_id)["command_parameters"]
    ) == {
        "vm_id": str(vm_id),
        "remove_disks": True,
        "force": False,
    }
    assert rows(model, "async_tasks") == []
    assert rows(model, "business_entity_snapshot") == []
    assert rows(model, "engine_locks") == []
    assert [v["status"] for v in rows(model, "vm_static", vm_guid=vm_id)] == ["Removed"]
    assert sorted(i["imagestatus"] for i in rows(model, "images", vm_guid=vm_id)) == ["REMOVED"] * 3
    messages = [a["message"] for a in rows(model, "audit_log", correlation_id="corr-rm")]
    assert messages[0] == "VM web1 was removed by admin."
    assert sorted(messages[1:4]) == [f"Disk web1_Disk{i} was removed." for i in (1, 2, 3)]
    assert messages[4:] == ["Completed Removing VM web1 from system."]


def test_a_failed_storage_task_shows_in_job_step_commands_and_audit(world: Scenario) -> None:
    vm_id, disk_ids, root_id = run_remove(world, fail_disk=1)
    model = caught_up(world)
    job_id = world.command(root_id).job_id

    [job] = rows(model, "job", job_id=job_id)
    assert job["status"] == "FAILED"
    [failed_step] = rows(model, "step", step_id=job["failed_step_id"])
    assert (failed_step["step_type"], failed_step["status"]) == ("DELETE_IMAGE", "FAILED")
    assert failed_step["reason"] == "Image deletion failed"
    statuses = {
        c["command_type"]: c["status"]
        for c in rows(model, "command_entities", root_command_id=root_id)
        if c["command_type"] != "RemoveImage"
    }
    assert statuses == {"RemoveVm": "ENDED_WITH_FAILURE", "RemoveAllVmImages": "ENDED_SUCCESSFULLY"}
    images = {i["image_guid"]: i["imagestatus"] for i in rows(model, "images", vm_guid=vm_id)}
    assert images == {disk_ids[0]: "REMOVED", disk_ids[1]: "ILLEGAL", disk_ids[2]: "REMOVED"}
    errors = [a["message"] for a in rows(model, "audit_log", severity="error")]
    assert errors == [
        "Failed to remove disk web1_Disk2.",
        "Failed to complete Removing VM web1 from system: "
        "step DELETE_IMAGE #1 failed: Image deletion failed",
    ]
    assert rows(model, "engine_locks") == []


def test_locks_tasks_and_snapshots_show_while_a_command_runs(world: Scenario) -> None:
    vm_id, _ = world.add_vm(world.add_pool(), disks=2)
    world.spm.hold.update(world.store.load(Vm, vm_id).disk_ids)  # type: ignore[attr-defined]
    root_id = world.remove_vm(vm_id).command_id
    world.loop.step()
    recorded = world.store.read(0, 100_000)
    first_snapshot = next(
        r.position for r in recorded if isinstance(r.event, Command.EntitySnapshotted)
    )
    model = shadow(world)
    model.catch_up(until=first_snapshot)

    [snapshot] = rows(model, "business_entity_snapshot")
    assert (snapshot["command_id"], snapshot["entity_id"]) == (root_id, vm_id)
    assert json.loads(snapshot["entity_snapshot"]) == {"status": "Down"}
    [lock] = rows(model, "engine_locks")
    assert (lock["lock_group"], lock["entity_id"], lock["command_id"]) == ("VM", vm_id, root_id)
    model.catch_up()
    assert rows(model, "business_entity_snapshot") == []
    assert len(rows(model, "async_tasks")) == 2
    assert {t["task_state"] for t in rows(model, "async_tasks")} == {"Polling"}


def test_a_rebuild_gives_exactly_the_rows_of_the_live_run(world: Scenario) -> None:
    run_remove(world)
    run_remove(world, fail_disk=0)
    live = caught_up(world)
    before = {t.name: live.rows(t) for t in live.tables.views}
    progress: list[tuple[int, int]] = []

    live.rebuild(batch_size=50, progress=lambda done, total: progress.append((done, total)))

    assert {t.name: live.rows(t) for t in live.tables.views} == before
    assert progress[-1] == (world.position, world.position)
    assert verify(world.database, world.store) == []


def test_verify_names_a_tampered_row(world: Scenario) -> None:
    _, _, root_id = run_remove(world)
    live = caught_up(world)
    with live.engine.begin() as connection:
        table = live.tables.command_entities
        connection.execute(
            table.update().where(table.c.command_id == root_id).values(status="ACTIVE")
        )
        audit = live.tables.audit_log
        first = connection.execute(sa.select(sa.func.min(audit.c.audit_log_id))).scalar()
        connection.execute(sa.delete(audit).where(audit.c.audit_log_id == first))

    drift = verify(world.database, world.store)

    assert [
        (d.table, d.key, d.column, d.live, d.rebuilt)
        for d in drift
        if d.table == "command_entities"
    ] == [("command_entities", str(root_id), "status", "ACTIVE", "ENDED_SUCCESSFULLY")]
    assert [(d.table, d.column, d.live, d.rebuilt) for d in drift if d.table == "audit_log"] == [
        ("audit_log", "*", False, True)
    ]


class CrashingChanges(RowChanges):
    """Writes its rows, but the second batch dies before its transaction commits."""

    written = 0

    def write(self, connection: sa.Connection) -> None:
        CrashingChanges.written += 1
        super().write(connection)
        if CrashingChanges.written == 2:
            raise RuntimeError("process killed")


def test_a_crash_inside_a_batch_loses_and_duplicates_nothing(
    world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_remove(world)
    model = shadow(world)
    CrashingChanges.written = 0
    monkeypatch.setattr(read_model_module, "RowChanges", CrashingChanges)
    with pytest.raises(RuntimeError):
        model.catch_up(batch_size=25)
    assert model.position() == 25
    monkeypatch.setattr(read_model_module, "RowChanges", RowChanges)
    model.catch_up(batch_size=25)

    assert model.position() == world.position
    indexed = model.rows(model.tables.event_index)
    assert sorted(k[0] for k in indexed) == list(range(1, world.position + 1))
    live = world.read_model
    for mine, theirs in zip(live.tables.views, model.tables.views, strict=True):
        assert list(live.rows(mine).values()) == list(model.rows(theirs).values())


def test_status_reports_position_and_lag(world: Scenario) -> None:
    run_remove(world, disks=1)
    projected = world.position
    world.engine.run_action("AddEmptyStoragePool", {"name": "dc2"}, user="admin")
    [before] = status(world.database, world.store)
    assert (before.position, before.lag) == (projected, world.position - projected)
    world.read_model.catch_up()
    [after] = status(world.database, world.store)
    assert (after.name, after.position, after.lag) == ("read_model", world.position, 0)
