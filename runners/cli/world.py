"""The managed world a user sets up by hand: VMs with disks, and faults in the storage."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import typer

from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.local_engine import LocalEngine, result_of
from tasktrail.runners.cli.options import JsonFlag


def vm_add(
    ctx: typer.Context,
    name: str,
    disks: Annotated[int, typer.Option(min=0, max=64)] = 1,
    status_: Annotated[str, typer.Option("--status", help="Down or Up.")] = "Down",
    pool: Annotated[
        str | None,
        typer.Option(help="Storage pool id or prefix (default: the first, made if none)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a VM with N disks (runs AddVm)."""
    params = {"name": name, "disks": disks, "status": status_}
    runtime = context.runtime(ctx)
    pool_id = context.resolve(runtime, pool) if pool else None
    with LocalEngine(runtime) as here:
        made = add_vm(here, {**params, "storage_pool_id": str(pool_id or default_pool(here))})
    if json_out:
        show.emit_json(made)
    else:
        show.console.print(f"VM {name}: {made['vm_id']}\ndisks: {' '.join(made['disk_ids'])}")


def add_vm(here: LocalEngine, params: dict[str, Any]) -> dict[str, Any]:
    """Runs AddVm here to its end; its result holds the new VM's and disks' ids."""
    made: dict[str, Any] = result_of(here.run_to_end("AddVm", params), "AddVm")
    return made


def add_pool(here: LocalEngine, name: str) -> UUID:
    """Runs AddEmptyStoragePool here to its end; returns the new pool's id."""
    made = result_of(here.run_to_end("AddEmptyStoragePool", {"name": name}), "AddEmptyStoragePool")
    return UUID(made["storage_pool_id"])


def default_pool(here: LocalEngine) -> UUID:
    """The first storage pool that is up, or a new one named Default."""
    runtime = here.runtime
    runtime.refresh()
    table = runtime.read_model.tables.tt_storage_pool
    with runtime.database.connect() as connection:
        found = connection.execute(table.select().where(table.c.status == "Up")).first()
    return add_pool(here, "Default") if found is None else UUID(str(found.id))


def spm_fault(
    ctx: typer.Context,
    disk: Annotated[str, typer.Argument(metavar="DISK", help="A disk id or prefix.")],
    on: Annotated[str, typer.Option("--on", help="delete, clear, poll or submit")],
    json_out: JsonFlag = False,
) -> None:
    """Arm a fault in the simulated storage for that disk's next task."""
    runtime = context.runtime(ctx)
    disk_id = context.resolve(runtime, disk)
    runtime.store.load(Disk, disk_id)
    kind = runtime.spm.inject_fault(disk_id, on.lower())
    if json_out:
        show.emit_json({"disk_id": disk_id, "fault": kind.value})
    else:
        show.console.print(f"armed: {kind.value} fault for disk {disk_id}'s next task")
