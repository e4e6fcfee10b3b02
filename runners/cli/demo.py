"""``tasktrail demo``: the main job, RemoveVm of a VM with N disks, watched live to its end."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import RenderableType

from tasktrail.projections import queries
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.display import Display
from tasktrail.runners.cli.local_engine import LocalEngine, View
from tasktrail.runners.cli.options import JsonFlag
from tasktrail.runners.cli.world import add_pool, add_vm
from tasktrail.runners.transient import patiently


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
    runtime = context.runtime(ctx)
    display = context.display(ctx, runtime)
    try:
        with LocalEngine(runtime) as here:
            made = _demo_vm(here, disks, stamp)
            if fail_disk is not None:
                here.runtime.spm.inject_fault(UUID(made["disk_ids"][fail_disk - 1]), "delete")
            view = None if json_out else display
            command_id, job = _remove_vm(here, made["vm_id"], stamp, view)
    except KeyboardInterrupt:
        raise _interrupted(runtime, stamp) from None
    if json_out:
        show.emit_json({"vm_id": made["vm_id"], "command_id": command_id, "job": job})
    else:
        _show(runtime, made["vm_id"], command_id, job, display)
    if job["status"] != "FINISHED":
        raise typer.Exit(1)


def _interrupted(runtime: Runtime, stamp: str) -> typer.Exit:
    """Ctrl-C: what the demo left in flight, and the command that carries it to its end."""
    runtime.refresh()
    left = [
        j["job_id"]
        for j in queries.jobs(runtime.read_model, "STARTED")
        if j["correlation_id"] == f"demo-{stamp}"
    ]
    where = f"job {left[0]} is left STARTED" if left else "nothing was left in flight"
    return context.refused(
        f"interrupted: {where}; `tasktrail serve --until-idle` carries it to its end", 130
    )


def _demo_vm(here: LocalEngine, disks: int, stamp: str) -> dict[str, Any]:
    pool_id = add_pool(here, "demo-dc")
    return add_vm(
        here, {"name": f"demo-vm-{stamp}", "disks": disks, "storage_pool_id": str(pool_id)}
    )


def _remove_vm(
    here: LocalEngine, vm_id: str, stamp: str, display: Display | None
) -> tuple[UUID, dict[str, Any]]:
    """RemoveVm, driven here to its end; its command id and its job as the read model has it."""
    runtime = here.runtime
    removed = runtime.engine.run_action(
        "RemoveVm", {"vm_id": vm_id}, user="admin", correlation_id=f"demo-{stamp}"
    )
    if not removed.valid or removed.job_id is None or removed.command_id is None:
        raise context.refused("RemoveVm refused: " + ", ".join(removed.validation_messages), 1)
    view = None if display is None else _job_view(runtime, removed.job_id, display)
    here.drive(removed.command_id, view)
    job_id = removed.job_id
    return removed.command_id, patiently(
        "read the job", lambda: queries.job(runtime.read_model, job_id)
    )


def _job_view(runtime: Runtime, job_id: UUID, display: Display) -> View:
    def render() -> RenderableType:
        try:
            return show.job_tree(queries.job(runtime.read_model, job_id), display)
        except queries.NotFoundError:
            return "waiting for the job to start…"

    return render


def _show(
    runtime: Runtime, vm_id: str, command_id: UUID, job: dict[str, Any], display: Display
) -> None:
    """The job's final tree (once: the live view is gone), and commands to paste next."""
    show.console.print(show.job_tree(job, display))
    for notice in runtime.notices:
        if notice.command_id == command_id:
            show.console.print(f"fired: {notice.name} {notice.entity_id}")
    name = display.namer([job["job_id"], UUID(vm_id), command_id])
    hints = [
        f"tasktrail why {name(job['job_id'])}",
        f"tasktrail job {name(job['job_id'])}",
        f"tasktrail history --entity {name(UUID(vm_id))}",
        f"tasktrail replay {name(command_id)}",
        f"tasktrail replay {name(job['job_id'])} --at {display.when(job['start_time'])}",
        "tasktrail projections verify",
    ]
    typer.echo("\nWhere to look next:\n" + "\n".join(f"  {h}" for h in hints))
