"""The oVirt tables built from events: exact rows, rebuild, verify, crash-safe batches."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.projections import read_model as read_model_module
from tasktrail.projections.changes import RowChanges
from tasktrail.projections.ovirt_codes import user_uuid
from tasktrail.projections.read_model import ReadModel, status, verify
from tasktrail.projections.tables import define_tables
from tests.scenario import Scenario

SHADOW = define_tables("shadow_")
"""A second set of tables on the same database, for a read model caught up by hand."""


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
    assert (job["action_type"], job["status"], job["owner_id"]) == (
        "RemoveVm",
        "FINISHED",
        user_uuid("admin"),
    )
    assert (job["visible"], job["is_external"], job["is_auto_cleared"]) == (True, False, True)
    assert job["engine_session_seq_id"] == -1
    assert job["description"] == "Removing VM web1 from system"
    assert job["correlation_id"] == "corr-rm"
    assert job["end_time"] is not None
    assert rows(model, "tt_job", job_id=root.job_id)[0]["owner"] == "admin"
    assert [(s["entity_id"], s["entity_type"]) for s in rows(model, "job_subject_entity")] == [
        (vm_id, "VM"),
        (vm_id, "VM"),
    ]
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
    images = [s for s in steps if s["step_type"] == "DELETE_IMAGE"]
    assert {s["parent_step_id"] for s in images} == {executing["step_id"]}
    assert all(s["external_system_type"] == "VDSM" for s in images)
    assert all(isinstance(s["external_id"], UUID) for s in images)
    commands = rows(model, "tt_command", root_command_id=root_id)
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
    assert json.loads(next(c for c in commands if c["command_id"] == root_id)["parameters"]) == {
        "vm_id": str(vm_id),
        "remove_disks": True,
        "force": False,
    }
    for ended in ("command_entities", "async_tasks", "business_entity_snapshot", "tt_engine_lock"):
        assert rows(model, ended) == [], ended
    assert rows(model, "tt_vm", vm_guid=vm_id) == []
    assert rows(model, "tt_disk", vm_guid=vm_id) == []
    entries = rows(model, "audit_log", correlation_id="corr-rm")
    assert [(a["log_type_name"], a["log_type"], a["severity"], a["message"]) for a in entries] == [
        ("USER_REMOVE_VM_FINISHED", 113, 0, "VM web1 was successfully removed by admin.")
    ]
    assert (entries[0]["vm_id"], entries[0]["vm_name"], entries[0]["job_id"]) == (
        vm_id,
        "web1",
        root.job_id,
    )


def test_a_failed_storage_task_shows_in_job_step_commands_and_audit(world: Scenario) -> None:
    vm_id, disk_ids, root_id = run_remove(world, fail_disk=1)
    model = caught_up(world)
    job_id = world.command(root_id).job_id

    [job] = rows(model, "job", job_id=job_id)
    assert job["status"] == "FAILED"
    [failure] = rows(model, "tt_job", job_id=job_id)
    [failed_step] = rows(model, "step", step_id=failure["failed_step_id"])
    assert (failed_step["step_type"], failed_step["status"]) == ("DELETE_IMAGE", "FAILED")
    assert rows(model, "tt_step", step_id=failed_step["step_id"])[0]["reason"] == (
        "Image deletion failed"
    )
    statuses = {
        c["command_type"]: c["status"]
        for c in rows(model, "tt_command", root_command_id=root_id)
        if c["command_type"] != "RemoveImage"
    }
    assert statuses == {"RemoveVm": "ENDED_WITH_FAILURE", "RemoveAllVmImages": "ENDED_SUCCESSFULLY"}
    images = {i["image_guid"]: i["imagestatus"] for i in rows(model, "tt_disk", vm_guid=vm_id)}
    assert images == {disk_ids[1]: "ILLEGAL"}
    errors = [a["message"] for a in rows(model, "audit_log", severity=2)]
    assert errors == [
        f"Image group deletion task for disk {disk_ids[1]} with volume(s) [{disk_ids[1]}] "
        "failed. Manual volume removal might be required."
    ]
    assert rows(model, "tt_engine_lock") == []


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
    assert (snapshot["command_id"], snapshot["entity_id"]) == (root_id, str(vm_id))
    assert (snapshot["snapshot_type"], snapshot["insertion_order"]) == (2, 1)
    assert snapshot["entity_type"] == "org.ovirt.engine.core.common.businessentities.VmDynamic"
    assert snapshot["command_type"] == "org.ovirt.engine.core.bll.RemoveVmCommand"
    assert json.loads(snapshot["entity_snapshot"]) == {"id": str(vm_id), "status": "Down"}
    [lock] = rows(model, "tt_engine_lock")
    assert (lock["lock_group"], lock["entity_id"], lock["command_id"]) == ("VM", vm_id, root_id)
    model.catch_up()
    assert rows(model, "business_entity_snapshot") == []
    tasks = rows(model, "async_tasks")
    assert [(t["status"], t["result"], t["task_type"], t["action_type"]) for t in tasks] == [
        (2, 0, 5, 211)
    ] * 2
    assert {t["task_state"] for t in rows(model, "tt_async_task")} == {"Polling"}


def test_command_entities_hold_only_what_ovirt_persists_and_only_until_the_root_ends(
    world: Scenario,
) -> None:
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=2)
    world.spm.hold.add(disk_ids[1])  # type: ignore[attr-defined]
    root_id = world.remove_vm(vm_id).command_id
    for _ in range(6):
        world.loop.step()
    model = caught_up(world)

    entities = rows(model, "command_entities")
    assert sorted((c["command_type"], c["callback_enabled"]) for c in entities) == [
        (4, True),
        (211, False),
        (211, False),
        (212, True),
    ]
    assert {c["root_command_id"] for c in entities} == {root_id}
    [remove_vm] = [c for c in entities if c["command_type"] == 4]
    assert (remove_vm["status"], remove_vm["executed"]) == ("ACTIVE", True)
    assert remove_vm["parent_command_id"] == UUID(int=0)
    assert remove_vm["command_params_class"] == (
        "org.ovirt.engine.core.common.action.RemoveVmParameters"
    )
    assert json.loads(remove_vm["command_context"])["jobId"] == str(
        world.command(root_id).job_id  # type: ignore[arg-type]
    )
    assert len(rows(model, "tt_command")) == 6  # AddEmptyStoragePool and AddVm besides
    world.spm.hold.clear()  # type: ignore[attr-defined]
    world.drive()
    assert rows(caught_up(world), "command_entities") == []


def test_the_job_cleanup_deletes_the_job_with_its_steps_and_what_extends_them(
    world: Scenario,
) -> None:
    _, _, root_id = run_remove(world, disks=1, fail_disk=0)
    job = world.store.load(Job, world.command(root_id).job_id)  # type: ignore[arg-type]
    before = caught_up(world)
    assert rows(before, "tt_step") != []
    job.clean_up(Cause.of(world.clock, user_id="engine", correlation_id="cleanup"))
    world.save(job)
    model = world.read_model
    recorded = world.store.read(0, 100_000)
    step_failed = next(r.position for r in recorded if isinstance(r.event, Step.Failed))
    # The step's failure and the job's deletion in one batch after the step's row was written,
    # then the whole history in one batch: no row of the job is left either way.
    for split in (step_failed - 1, 0):
        model.rebuild(until=split)
        model.catch_up(batch_size=10_000)
        for table in ("job", "step", "job_subject_entity", "tt_job"):
            assert rows(model, table, job_id=job.id) == [], table
        assert rows(model, "tt_step") == []
    assert [j["action_type"] for j in rows(model, "job")] == ["AddVm"]
    assert len(rows(model, "tt_command", root_command_id=root_id)) == 3


@pytest.mark.postgres
def test_a_rebuild_leaves_postgresql_statistics_of_the_rows_it_wrote(pg_url: str) -> None:
    """The planner needs them: without, entity history seq-scans tt_event after a rebuild."""
    world = Scenario(pg_url)
    run_remove(world)
    live = caught_up(world)

    live.rebuild()

    with world.database.connect() as connection:
        counted = connection.execute(sa.text("select count(*) from tt_event")).scalar()
        estimated = connection.execute(
            sa.text("select reltuples from pg_class where relname = 'tt_event'")
        ).scalar()
    assert estimated == counted > 0


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
        table = live.tables.tt_command
        connection.execute(
            table.update().where(table.c.command_id == root_id).values(status="ACTIVE")
        )
        audit = live.tables.audit_log
        first = connection.execute(sa.select(sa.func.min(audit.c.audit_log_id))).scalar()
        connection.execute(sa.delete(audit).where(audit.c.audit_log_id == first))

    drift = verify(world.database, world.store)

    assert [
        (d.table, d.key, d.column, d.live, d.rebuilt) for d in drift if d.table == "tt_command"
    ] == [("tt_command", str(root_id), "status", "ACTIVE", "ENDED_SUCCESSFULLY")]
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


def test_a_step_ending_moves_its_jobs_last_update_time_as_job_repository_update_step(
    world: Scenario,
) -> None:
    def run(action: str, **params: object) -> object:
        returned = world.engine.run_action(action, params, user="ext")
        assert returned.valid, returned.validation_messages
        world.drive()
        return returned.action_return_value

    job_id = run("AddExternalJob", description="backup")
    step_id = run("AddExternalStep", parent_id=job_id, description="copy", step_id=str(uuid4()))
    world.clock.advance(60)
    run("EndExternalStep", step_id=step_id)
    model = caught_up(world)

    [job] = rows(model, "job", job_id=UUID(str(job_id)))
    [step] = rows(model, "step", step_id=UUID(str(step_id)))
    assert (job["status"], step["status"]) == ("STARTED", "FINISHED")
    assert job["last_update_time"] == step["end_time"] != job["start_time"]  # a minute later
    assert (job["is_external"], job["is_auto_cleared"], step["is_external"]) == (True, False, True)
