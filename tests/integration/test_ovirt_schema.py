"""oVirt's tables, read functions and an operator's SQL, unchanged, on tasktrail's read model.

``tests/ovirt/tables.sql`` is oVirt's own definition of the ten tables (its schema as oVirt's
installer leaves it after ``create_tables.sql`` and every upgrade script). On PostgreSQL it is
loaded into a schema of its own and compared, through the catalogs, with the tables tasktrail's
migrations make. ``tests/ovirt/read_functions.sql`` is oVirt's stored read functions and views,
copied from its ``*_sp.sql``. They and an operator's plain SQL run on the read model of one
RemoveVm of a VM with three disks: the second fails to delete, the third is still deleting
when the operator first looks ("in flight"), and the read model is also looked at right after
RemoveVm recorded its undo data ("snapshotted") and once everything ended ("ended").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.projections.ovirt_codes import user_uuid
from tests.scenario import Scenario

OVIRT = Path(__file__).resolve().parent.parent / "ovirt"
TABLES = (
    "job",
    "step",
    "job_subject_entity",
    "step_subject_entity",
    "command_entities",
    "command_assoc_entities",
    "async_tasks",
    "async_tasks_entities",
    "business_entity_snapshot",
    "audit_log",
)


@dataclass
class Removal:
    world: Scenario
    pool: UUID
    vm: UUID
    disks: list[UUID]
    root: UUID
    job_id: UUID
    vdsm_task_ids: dict[UUID, UUID]
    """Each disk's storage task, by the SPM's id."""
    moments: dict[str, int]

    @contextmanager
    def at(self, moment: str) -> Iterator[sa.Connection]:
        """A connection to the read model as it stood at that moment."""
        self.world.read_model.rebuild(until=self.moments[moment])
        with self.world.database.connect() as connection:
            yield connection

    def rows(self, connection: sa.Connection, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def _run_sql_file(url: str, path: Path, schema: str = "public") -> None:
    """Runs a SQL file as psql would (its own connection: a dump resets the search path)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        sql = path.read_text().replace("public.", f"{schema}.")
        connection.execution_options(no_parameters=True).exec_driver_sql(sql)
    engine.dispose()


@pytest.fixture(scope="module")
def removal(module_pg_url: str) -> Removal:
    world = Scenario(module_pg_url)
    pool = world.add_pool()
    vm, disks = world.add_vm(pool, disks=3)
    world.spm.fail_delete.add(disks[1])  # type: ignore[attr-defined]
    world.spm.hold.add(disks[2])  # type: ignore[attr-defined]
    returned = world.remove_vm(vm)
    for _ in range(8):
        world.loop.step()
    in_flight = world.position
    world.spm.hold.clear()  # type: ignore[attr-defined]
    world.drive()
    recorded = world.store.read(0, 100_000)
    snapshots = [r.position for r in recorded if isinstance(r.event, Command.EntitySnapshotted)]
    tasks = [r.event for r in recorded if isinstance(r.event, AsyncTask.Created)]
    with world.database.begin() as connection:
        connection.exec_driver_sql("create schema ovirt")
    _run_sql_file(module_pg_url, OVIRT / "tables.sql", schema="ovirt")
    _run_sql_file(module_pg_url, OVIRT / "read_functions.sql")
    assert returned.command_id is not None
    assert returned.job_id is not None
    return Removal(
        world=world,
        pool=pool,
        vm=vm,
        disks=disks,
        root=returned.command_id,
        job_id=returned.job_id,
        vdsm_task_ids={t.entity_id: UUID(t.vdsm_task_id) for t in tasks},
        moments={"snapshotted": max(snapshots), "in_flight": in_flight, "ended": world.position},
    )


_COLUMNS = """
    select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           pg_get_expr(d.adbin, d.adrelid)
    from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = cast(%(table)s as regclass) and a.attnum > 0 and not a.attisdropped
    order by a.attnum"""
_CONSTRAINTS = """
    select conname, pg_get_constraintdef(oid) from pg_constraint
    where conrelid = cast(%(table)s as regclass) order by conname"""
_INDEXES = """
    select indexname, indexdef from pg_indexes
    where schemaname = %(schema)s and tablename = %(name)s order by indexname"""
_SEQUENCE = """
    select data_type, start_value, min_value, max_value, increment_by, cycle, cache_size
    from pg_sequences where schemaname = %(schema)s and sequencename = 'audit_log_seq'"""


def described(connection: sa.Connection, schema: str, table: str) -> dict[str, list[Any]]:
    """A table as PostgreSQL's catalogs describe it, without its schema's name."""
    names = {"table": f"{schema}.{table}", "schema": schema, "name": table}
    found = {
        what: [tuple(row) for row in connection.exec_driver_sql(sql, names)]
        for what, sql in (("columns", _COLUMNS), ("keys", _CONSTRAINTS), ("indexes", _INDEXES))
    }
    return {what: [_unqualified(row, schema) for row in rows] for what, rows in found.items()}


def _unqualified(row: tuple[Any, ...], schema: str) -> tuple[Any, ...]:
    return tuple(v.replace(f"{schema}.", "") if isinstance(v, str) else v for v in row)


@pytest.mark.postgres
def test_the_ten_tables_have_ovirts_columns_types_defaults_keys_and_indexes(
    removal: Removal,
) -> None:
    with removal.world.database.connect() as connection:
        for table in TABLES:
            assert described(connection, "public", table) == described(connection, "ovirt", table)
        sequences = [
            [tuple(r) for r in connection.exec_driver_sql(_SEQUENCE, {"schema": schema})]
            for schema in ("public", "ovirt")
        ]
    assert sequences[0] == sequences[1] != []


def test_sqlite_has_ovirts_columns_and_matches_ids_written_with_dashes(tmp_path: Path) -> None:
    world = Scenario(f"sqlite:///{tmp_path / 'tasktrail.db'}")
    pool = world.add_pool()
    params = {"name": "web1", "storage_pool_id": str(pool), "disks": 0}
    returned = world.engine.run_action("AddVm", params, user="admin")
    world.drive()
    world.read_model.catch_up()
    dump = (OVIRT / "tables.sql").read_text()
    with world.database.connect() as connection:
        for table in TABLES:
            create = re.search(rf"CREATE TABLE public\.{table} \((.*?)\n\);", dump, re.DOTALL)
            assert create is not None
            ovirt = [line.split()[0] for line in create.group(1).strip().splitlines()]
            ours = [row[1] for row in connection.exec_driver_sql(f"pragma table_info({table})")]
            assert ours == ovirt, table
        found = connection.exec_driver_sql(
            "select j.action_type, e.entity_type from job j"
            " join job_subject_entity e on e.job_id = j.job_id"
            f" where j.job_id = '{returned.job_id}'"
            f" and e.entity_id = '{returned.action_return_value['vm_id']}'"
        ).all()
    assert [tuple(row) for row in found] == [("AddVm", "VM")]


@pytest.mark.postgres
def test_ovirts_job_and_step_functions_read_the_removal(removal: Removal) -> None:
    job, failed_task = removal.job_id, removal.vdsm_task_ids[removal.disks[1]]
    with removal.at("ended") as c:
        assert removal.rows(c, f"select * from GetJobByJobId('{job}')") == removal.rows(
            c, f"select * from job where job_id = '{job}'"
        )
        assert removal.rows(c, "select job_id, status from GetJobsByCorrelationId('corr-rm')") == [
            (job, "FAILED")
        ]
        steps = removal.rows(
            c, f"select step_type, step_number, status from GetStepsByJobId('{job}')"
        )
        assert steps[:3] == [  # job steps first, then sub-steps by parent (uuid order)
            ("VALIDATING", 0, "FINISHED"),
            ("EXECUTING", 1, "FINISHED"),
            ("FINALIZING", 2, "FAILED"),
        ]
        assert sorted(steps[3:]) == [
            ("DELETE_IMAGE", 0, "FINISHED"),
            ("DELETE_IMAGE", 1, "FAILED"),
            ("DELETE_IMAGE", 2, "FINISHED"),
            *[("FINALIZING", 0, "FINISHED")] * 3,
        ]
        [(step_id, step_type)] = removal.rows(
            c, f"select step_id, step_type from GetStepsByExternalTaskId('{failed_task}')"
        )
        assert removal.rows(c, f"select status from GetStepByStepId('{step_id}')") == [("FAILED",)]
        assert removal.rows(c, f"select * from CheckIfJobHasTasks('{job}')") == [(True,)]
        subjects = removal.rows(c, f"select * from GetJobSubjectEntityByJobId('{job}')")
        assert subjects == [(job, removal.vm, "VM")]
        assert step_type == "DELETE_IMAGE"


@pytest.mark.postgres
def test_ovirts_command_and_task_functions_read_the_removal_in_flight(removal: Removal) -> None:
    root, pool, deleting = removal.root, removal.pool, removal.disks[2]
    with removal.at("in_flight") as c:
        [(image, image_type)] = removal.rows(
            c, "select command_id, command_type from GetAllCommandsWithRunningTasks()"
        )
        family = removal.rows(
            c, f"select command_type, status from GetCommandEntitiesByParentCmdId('{root}')"
        )
        assert sorted(family) == [
            (4, "ACTIVE"),
            (211, "ACTIVE"),
            (211, "ENDED_SUCCESSFULLY"),
            (211, "ENDED_WITH_FAILURE"),
            (212, "SUCCEEDED"),
        ]
        assert len(removal.rows(c, "select * from GetAllCommands()")) == 5
        assert removal.rows(
            c, f"select status, executed from GetCommandEntityByCommandEntityId('{root}')"
        ) == [("ACTIVE", True)]
        task = removal.rows(
            c,
            "select task_id, command_id, root_command_id, action_type, status, result, task_type"
            f" from GetAsyncTasksByStoragePoolId('{pool}')",
        )
        assert [row[1:] for row in task] == [(image, image, 211, 2, 0, 5)]
        assert removal.rows(c, "select task_id from GetAllFromasync_tasks()") == [task[0][:1]]
        assert removal.rows(c, f"select task_id from GetAsyncTasksByEntityId('{deleting}')") == [
            task[0][:1]
        ]
        vdsm = removal.vdsm_task_ids[deleting]
        assert len(removal.rows(c, f"select * from GetAsyncTasksByVdsmTaskId('{vdsm}')")) == 1
    assert image_type == 211


@pytest.mark.postgres
def test_ovirts_snapshot_functions_read_remove_vms_undo_data(removal: Removal) -> None:
    root = removal.root
    with removal.at("snapshotted") as c:
        snapshots = removal.rows(
            c,
            "select entity_type, snapshot_type, insertion_order, entity_id"
            f" from get_entity_snapshot_by_command_id('{root}')",
        )
        commands = removal.rows(c, "select * from get_all_commands()")
    image = "org.ovirt.engine.core.common.businessentities.storage.Image"
    assert snapshots == [
        (image, 2, 4, str(removal.disks[2])),
        (image, 2, 3, str(removal.disks[1])),
        (image, 2, 2, str(removal.disks[0])),
        ("org.ovirt.engine.core.common.businessentities.VmDynamic", 2, 1, str(removal.vm)),
    ]
    assert commands == [(root, "org.ovirt.engine.core.bll.RemoveVmCommand")]


@pytest.mark.postgres
def test_an_operator_sees_the_removal_in_flight_as_in_ovirt(removal: Removal) -> None:
    deleting = removal.disks[2]
    with removal.at("in_flight") as c:
        running = removal.rows(c, "select count(*) from async_tasks where status = 2")
        removing = removal.rows(c, "select status from command_entities where command_type = 4")
        images = removal.rows(
            c, "select count(*) from command_entities where command_type = 211 and not executed"
        )
        notified = removal.rows(
            c,
            "select command_type, callback_enabled, callback_notified from command_entities"
            " where callback_enabled order by command_type",
        )
        progress = removal.rows(
            c,
            "select s.step_number, p.progress from step s join step_progress p using (step_id)"
            " where s.step_type = 'DELETE_IMAGE' order by s.step_number",
        )
        disk_task = removal.rows(
            c,
            "select t.task_type from async_tasks t join async_tasks_entities e"
            f" on e.async_task_id = t.task_id where e.entity_id = '{deleting}'",
        )
        job = removal.rows(c, "select status, end_time from job where action_type = 'RemoveVm'")
    assert running == [(1,)]
    assert removing == [("ACTIVE",)]
    assert images == [(0,)]  # each RemoveImage executed: it started its SPM task
    assert notified == [(4, True, False), (212, True, True)]
    assert progress == [(0, 100), (1, 0), (2, 0)]
    assert disk_task == [(5,)]
    assert job == [("STARTED", None)]


@pytest.mark.postgres
def test_an_operator_finds_the_failed_disk_and_its_job_as_in_ovirt(removal: Removal) -> None:
    failed_task, vm = removal.vdsm_task_ids[removal.disks[1]], removal.vm
    with removal.at("ended") as c:
        by_task = removal.rows(
            c,
            "select step_type, status, progress, external_system_type from step"
            f" where external_id = '{failed_task}'::uuid",
        )
        failed_jobs = removal.rows(
            c,
            "select action_type, description, owner_id, engine_session_seq_id from job"
            " where visible and status = 'FAILED'",
        )
        failed_steps = removal.rows(
            c,
            "select j.action_type, s.step_type, s.step_number from job j"
            " join job_subject_entity e on e.job_id = j.job_id"
            " join step s on s.job_id = j.job_id"
            f" where e.entity_id = '{vm}' and e.entity_type = 'VM' and s.status = 'FAILED'"
            " order by s.step_type",
        )
        leftovers = removal.rows(
            c,
            "select (select count(*) from command_entities), (select count(*) from async_tasks),"
            " (select count(*) from business_entity_snapshot)",
        )
    assert by_task == [("DELETE_IMAGE", "FAILED", None, "VDSM")]
    assert failed_jobs == [("RemoveVm", "Removing VM web1 from system", user_uuid("admin"), -1)]
    assert failed_steps == [("RemoveVm", "DELETE_IMAGE", 1), ("RemoveVm", "FINALIZING", 2)]
    assert leftovers == [(0, 0, 0)]


@pytest.mark.postgres
def test_the_audit_log_says_what_ovirt_says_of_the_removal(removal: Removal) -> None:
    failed = removal.disks[1]
    with removal.at("ended") as c:
        illegal = removal.rows(
            c,
            "select count(*) from audit_log"
            " where log_type_name = 'USER_REMOVE_VM_FINISHED_WITH_ILLEGAL_DISKS'",
        )
        entries = removal.rows(
            c,
            "select log_type, log_type_name, severity, message, vm_name, origin, custom_event_id"
            " from audit_log where correlation_id = 'corr-rm' and not deleted"
            " order by audit_log_id",
        )
        errors = removal.rows(c, "select * from GetAuditLogLaterThenDate('2000-01-01')")
    assert illegal == [(0,)]  # the disk failed in its SPM task, after RemoveVm executed
    assert entries == [
        (
            113,
            "USER_REMOVE_VM_FINISHED",
            0,
            "VM web1 was successfully removed by admin.",
            "web1",
            "oVirt",
            -1,
        ),
        (
            2053,
            "DELETE_IMAGE_GROUP_TASK_FAILED",
            2,
            f"Image group deletion task for disk {failed} with volume(s) [{failed}] failed. "
            "Manual volume removal might be required.",
            "",
            "oVirt",
            -1,
        ),
    ]
    assert len(errors) == 4  # the data center, the VM, and the two entries above
