"""``tasktrail demo``: the main job, RemoveVm of a VM with N disks, watched live to its end."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import RenderableType

from projections import queries
from runners.bootstrap import Runtime
from runners.cli import context
from runners.cli import render as show
from runners.cli.local_engine import LocalEngine, View
from runners.cli.options import JsonFlag
from runners.cli.world import add_pool, add_vm
from runners.transient import patiently


def demo(
    ctx: typer.Context,
    disks: Annotated[int, typer.Option(min=1, max=16, help="Disks of the demo VM.")] = 3,
    fail_disk: Annotated[
        int | None, typer.Option(help="Make the storage fail on disk K (1-based).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """The main job: a pool, a VM with N disks, RemoveVm end to end, watched live."""
    if fail_disk is not None and not 1 <= fail_disk <= disks:
        raise ValueError(f"--fail-disk {fail_disk} is not a disk of 1..{disks}")
    stamp = datetime.now().strftime("%H%M%S")
    with LocalEngine(context.runtime(ctx)) as here:
        made = _demo_vm(here, disks, stamp)
        if fail_disk is not None:
            here.runtime.spm.inject_fault(UUID(made["disk_ids"][fail_disk - 1]), "delete")
        command_id, job = _remove_vm(here, made["vm_id"], stamp, json_out)
    _show(here.runtime, made["vm_id"], command_id, job, json_out)
    if job["status"] != "FINISHED":
        raise typer.Exit(1)


def _demo_vm(here: LocalEngine, disks: int, stamp: str) -> dict[str, Any]:
    pool_id = add_pool(here, "demo-dc")
    return add_vm(
        here, {"name": f"demo-vm-{stamp}", "disks": disks, "storage_pool_id": str(pool_id)}
    )


def _remove_vm(
    here: LocalEngine, vm_id: str, stamp: str, json_out: bool
) -> tuple[UUID, dict[str, Any]]:
    """RemoveVm, driven here to its end; its command id and its job as the read model has it."""
    runtime = here.runtime
    removed = runtime.engine.run_action(
        "RemoveVm", {"vm_id": vm_id}, user="admin", correlation_id=f"demo-{stamp}"
    )
    if not removed.valid or removed.job_id is None or removed.command_id is None:
        raise context.refused("RemoveVm refused: " + ", ".join(removed.validation_messages), 1)
    view = None if json_out else _job_view(runtime, removed.job_id)
    here.drive(removed.command_id, view)
    job_id = removed.job_id
    return removed.command_id, patiently(
        "read the job", lambda: queries.job(runtime.read_model, job_id)
    )


def _job_view(runtime: Runtime, job_id: UUID) -> View:
    def render() -> RenderableType:
        try:
            return show.job_tree(queries.job(runtime.read_model, job_id))
        except queries.NotFoundError:
            return "waiting for the job to start…"

    return render


def _show(
    runtime: Runtime, vm_id: str, command_id: UUID, job: dict[str, Any], json_out: bool
) -> None:
    if json_out:
        show.emit_json({"vm_id": vm_id, "command_id": command_id, "job": job})
        return
    _summary(job, vm_id, command_id)
    for notice in runtime.notices:
        if notice.command_id == command_id:
            show.console.print(f"fired: {notice.name} {notice.entity_id}")


def _summary(job: dict[str, Any], vm_id: str, command_id: UUID) -> None:
    show.console.print(show.job_tree(job))
    show.console.print(
        f"\nWhere to look next:\n"
        f"  tasktrail job {job['job_id']}\n"
        f"  tasktrail history --entity {vm_id}\n"
        f"  tasktrail replay {command_id}\n"
        f"  tasktrail replay {job['job_id']} --at {job['start_time'].isoformat()}\n"
        f"  tasktrail projections verify"
    )
