"""The managed world as the read model has it: ``vm list``, ``disk list``, ``pool list``, and the
faults armed in the simulated storage (``spm fault list``, ``spm fault clear``)."""

from __future__ import annotations

from typing import Annotated

import typer

from tasktrail.projections import inventory_views as views
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import JsonFlag, Utc, Wide
from tasktrail.runners.simulated_spm import parse_fault_kind

VM_COLUMNS = ["vm_id", "name", "status", "disks", "created", "pool"]
DISK_COLUMNS = ["disk_id", "status", "alias", "vm_name", "last_update", "vm_id"]
POOL_COLUMNS = ["pool_id", "name", "status", "vms", "disks"]
FAULT_COLUMNS = ["disk_id", "fault", "alias", "status"]


def vm_list(
    ctx: typer.Context, json_out: JsonFlag = False, _wide: Wide = False, _utc: Utc = False
) -> None:
    """VMs not removed, with their status and disk count, oldest first."""
    runtime = context.refreshed(ctx)
    rows = views.vms(runtime.read_model)
    show.listing("VMs", rows, VM_COLUMNS, json_out, context.display(ctx, runtime))


def disk_list(
    ctx: typer.Context,
    vm: Annotated[
        str | None, typer.Option(help="Only this VM's disks (an id or a prefix).")
    ] = None,
    json_out: JsonFlag = False,
    _wide: Wide = False,
    _utc: Utc = False,
) -> None:
    """Disks not removed (ILLEGAL ones stay until removed), with their VM."""
    runtime = context.refreshed(ctx)
    vm_id = context.resolve(runtime, vm) if vm else None
    rows = views.disks(runtime.read_model, vm_id)
    show.listing("disks", rows, DISK_COLUMNS, json_out, context.display(ctx, runtime))


def pool_list(
    ctx: typer.Context, json_out: JsonFlag = False, _wide: Wide = False, _utc: Utc = False
) -> None:
    """Storage pools (oVirt's Data Centers) with their VMs and disks counted."""
    runtime = context.refreshed(ctx)
    rows = views.pools(runtime.read_model)
    show.listing("pools", rows, POOL_COLUMNS, json_out, context.display(ctx, runtime))


def fault_list(ctx: typer.Context, json_out: JsonFlag = False, _wide: Wide = False) -> None:
    """Faults armed in the simulated storage, waiting for their disk's next task."""
    runtime = context.refreshed(ctx)
    disks = {d["disk_id"]: d for d in views.disks(runtime.read_model)}
    rows = [
        {
            "disk_id": disk_id,
            "fault": kind.value,
            "alias": disks.get(disk_id, {}).get("alias"),
            "status": disks.get(disk_id, {}).get("status"),
        }
        for disk_id, kind in runtime.spm.faults()
    ]
    show.listing("faults", rows, FAULT_COLUMNS, json_out, context.display(ctx, runtime))


def fault_clear(
    ctx: typer.Context,
    disk: Annotated[
        str | None, typer.Argument(metavar="[DISK]", help="Only this disk's (default: all).")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Only this kind of fault.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Disarm armed faults: every one, a disk's, or one kind."""
    runtime = context.runtime(ctx)
    kind = parse_fault_kind(on.lower()) if on is not None else None
    disk_id = context.resolve(runtime, disk) if disk else None
    cleared = runtime.spm.clear_faults(disk_id, kind)
    if json_out:
        show.emit_json({"cleared": cleared})
    else:
        show.console.print(f"cleared {cleared} fault{'s' * (cleared != 1)}")
