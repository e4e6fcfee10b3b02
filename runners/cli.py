"""The ``tasktrail`` command: run actions, watch jobs, audit, replay and rebuild.

Exit codes: 0 ok, 1 a refused or failed action (or drift found by verify), 2 bad usage or input.
"""

from __future__ import annotations

import functools
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.live import Live
from rich.progress import Progress

from domain.clock import SystemClock
from domain.command.aggregate import Command
from domain.errors import TasktrailError
from domain.inventory.disk import Disk
from projections import audit, bundle, queries, replay
from projections.read_model import ReadModel, status, verify
from runners import cli_render as show
from runners.blocked import blocked as list_blocked
from runners.bootstrap import Runtime, build_runtime
from runners.database import open_event_store
from runners.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
vm_app = typer.Typer(no_args_is_help=True, help="The managed world's VMs.")
spm_app = typer.Typer(no_args_is_help=True, help="The simulated storage (SPM).")
projections_app = typer.Typer(no_args_is_help=True, help="The read model: status, rebuild, verify.")
app.add_typer(vm_app, name="vm")
app.add_typer(spm_app, name="spm")
app.add_typer(projections_app, name="projections")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
F = TypeVar("F", bound=Callable[..., Any])


class Context:
    settings: Settings = Settings()
    _runtime: Runtime | None = None

    @classmethod
    def runtime(cls, *, execute_inline: bool = True) -> Runtime:
        if cls._runtime is None:
            cls._runtime = build_runtime(cls.settings, execute_inline=execute_inline)
        return cls._runtime


def refused(message: str, code: int = 2) -> typer.Exit:
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return typer.Exit(code)


def handles_errors(command: F) -> F:
    """Bad input is one line on stderr and exit 2; nothing half-written is left behind."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (TasktrailError, ValueError) as error:
            raise refused(str(error)) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default $TASKTRAIL_DB, else sqlite:///tasktrail.db)."
        ),
    ] = None,
) -> None:
    Context.settings = Settings(db=db) if db else Settings()
    Context._runtime = None


def _live() -> bool:
    return sys.stdout.isatty()


def _drive(
    runtime: Runtime, done: Callable[[], bool], render: Callable[[], Any] | None = None
) -> None:
    """Runs the engine in this process until ``done``; shows ``render`` live on a terminal."""
    loop = runtime.loop()
    interval = runtime.settings.poll_interval
    if render is None or not _live():
        while not done():
            loop.step()
            runtime.refresh()
            if not done():
                time.sleep(interval)
        return
    with Live(render(), console=show.console, refresh_per_second=8) as live:
        while not done():
            loop.step()
            runtime.refresh()
            live.update(render())
            if not done():
                time.sleep(interval)


def _job_done(runtime: Runtime, job_id: UUID) -> Callable[[], bool]:
    def done() -> bool:
        """Reads the read model, which ``_drive`` refreshes after every round."""
        try:
            found: str = queries.job(runtime.read_model, job_id)["status"]
        except queries.NotFoundError:
            return False
        return found != "STARTED"

    return done


def _job_view(runtime: Runtime, job_id: UUID) -> Callable[[], Any]:
    def render() -> Any:
        try:
            return show.job_tree(queries.job(runtime.read_model, job_id))
        except queries.NotFoundError:
            return "waiting for the job to start…"

    return render


@app.command()
@handles_errors
def demo(
    disks: Annotated[int, typer.Option(min=1, max=16, help="Disks of the demo VM.")] = 3,
    fail_disk: Annotated[
        int | None, typer.Option(help="Make the storage fail on disk K (1-based).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """The main job: a pool, a VM with N disks, RemoveVm end to end, watched live."""
    if fail_disk is not None and not 1 <= fail_disk <= disks:
        raise ValueError(f"--fail-disk {fail_disk} is not a disk of 1..{disks}")
    runtime = Context.runtime()
    engine = runtime.engine
    pool = engine.run_action("AddEmptyStoragePool", {"name": "demo-dc"}, user="admin")
    stamp = datetime.now().strftime("%H%M%S")
    made = engine.run_action(
        "AddVm",
        {
            "name": f"demo-vm-{stamp}",
            "disks": disks,
            "storage_pool_id": pool.action_return_value["storage_pool_id"],
        },
        user="admin",
    ).action_return_value
    if fail_disk is not None:
        runtime.spm.inject_fault(UUID(made["disk_ids"][fail_disk - 1]), "delete")
    removed = engine.run_action(
        "RemoveVm", {"vm_id": made["vm_id"]}, user="admin", correlation_id=f"demo-{stamp}"
    )
    if not removed.valid or removed.job_id is None:
        raise refused("RemoveVm refused: " + ", ".join(removed.validation_messages), code=1)
    job_id = removed.job_id
    _drive(runtime, _job_done(runtime, job_id), None if json_out else _job_view(runtime, job_id))
    job = queries.job(runtime.read_model, job_id)
    if json_out:
        show.emit_json({"vm_id": made["vm_id"], "command_id": removed.command_id, "job": job})
    else:
        _demo_summary(job, made["vm_id"], removed.command_id)
        for notice in runtime.notices:
            if notice.command_id == removed.command_id:
                show.console.print(f"fired: {notice.name} {notice.entity_id}")
    if job["status"] != "FINISHED":
        raise typer.Exit(1)


def _demo_summary(job: dict[str, Any], vm_id: str, command_id: Any) -> None:
    show.console.print(show.job_tree(job))
    show.console.print(
        f"\nWhere to look next:\n"
        f"  tasktrail job {job['job_id']}\n"
        f"  tasktrail history --entity {vm_id}\n"
        f"  tasktrail replay {command_id}\n"
        f"  tasktrail replay {job['job_id']} --at {job['start_time'].isoformat()}\n"
        f"  tasktrail projections verify"
    )


@vm_app.command("add")
@handles_errors
def vm_add(
    name: str,
    disks: Annotated[int, typer.Option(min=0, max=64)] = 1,
    status_: Annotated[str, typer.Option("--status", help="Down or Up.")] = "Down",
    pool: Annotated[
        UUID | None,
        typer.Option(help="Storage pool id (default: the first one, made if there is none)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a VM with N disks (runs AddVm)."""
    runtime = Context.runtime()
    pool_id = pool or _default_pool(runtime)
    returned = runtime.engine.run_action(
        "AddVm",
        {"name": name, "disks": disks, "status": status_, "storage_pool_id": str(pool_id)},
        user="admin",
    )
    if not returned.valid:
        raise refused("AddVm refused: " + ", ".join(returned.validation_messages), code=1)
    made = returned.action_return_value
    if json_out:
        show.emit_json(made)
    else:
        show.console.print(f"VM {name}: {made['vm_id']}\ndisks: {' '.join(made['disk_ids'])}")


def _default_pool(runtime: Runtime) -> UUID:
    runtime.refresh()
    table = runtime.read_model.tables.storage_pool
    with runtime.read_model.engine.connect() as connection:
        found = connection.execute(table.select().where(table.c.status == "Up")).first()
    if found is not None:
        return UUID(str(found.id))
    made = runtime.engine.run_action("AddEmptyStoragePool", {"name": "Default"}, user="admin")
    return UUID(made.action_return_value["storage_pool_id"])


@spm_app.command("fault")
@handles_errors
def spm_fault(
    disk_id: UUID,
    on: Annotated[str, typer.Option("--on", help="delete, clear, poll or submit")],
    json_out: JsonFlag = False,
) -> None:
    """Inject a fault into the simulated storage for that disk's next task."""
    runtime = Context.runtime()
    runtime.store.load(Disk, disk_id)
    kind = runtime.spm.inject_fault(disk_id, on)
    if json_out:
        show.emit_json({"disk_id": disk_id, "fault": kind.value})
    else:
        show.console.print(f"armed: {kind.value} fault for disk {disk_id}'s next task")


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values are read as JSON when they are JSON, else kept as text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"malformed --param {pair!r}: expected key=value")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


@app.command()
@handles_errors
def run(
    action: str,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="key=value, repeatable.")
    ] = None,
    user: Annotated[str, typer.Option(help="Who runs it.")] = "admin",
    correlation_id: Annotated[str | None, typer.Option(help="Ties its events together.")] = None,
    wait: Annotated[bool, typer.Option(help="Run it here until it ends.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Run an action; prints its ActionReturnValue. Without --wait, `serve` does the work."""
    params = parse_params(param or [])
    runtime = Context.runtime(execute_inline=wait)
    returned = runtime.engine.run_action(action, params, user=user, correlation_id=correlation_id)
    if wait and returned.valid and returned.command_id is not None:
        _drive(runtime, _command_done(runtime, returned.command_id))
        command = runtime.store.load(Command, returned.command_id)
        returned.succeeded = command.state.value == "ENDED_SUCCESSFULLY"
        returned.execute_failed_messages = [] if returned.succeeded else command.messages
    if json_out:
        show.emit_json(returned.model_dump(mode="json"))
    else:
        show.console.print_json(returned.model_dump_json())
    if not returned.valid or (wait and not returned.succeeded):
        raise typer.Exit(1)


def _command_done(runtime: Runtime, command_id: UUID) -> Callable[[], bool]:
    return lambda: runtime.store.load(Command, command_id).state.is_ended


@app.command()
@handles_errors
def serve(
    until_idle: Annotated[bool, typer.Option(help="Exit 0 once nothing is in flight.")] = False,
    poll_interval: Annotated[
        float | None, typer.Option(min=0.01, help="Seconds between polls.")
    ] = None,
) -> None:
    """Execute commands, poll storage and callbacks, keep projections current, until stopped."""
    runtime = Context.runtime()
    interval = poll_interval or runtime.settings.poll_interval
    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: stopping.append(number))
    with ThreadPoolExecutor(runtime.settings.executor_threads, "execute") as executor:
        loop = runtime.loop(executor)
        try:
            while not stopping:
                busy = loop.step()
                runtime.refresh()
                if until_idle and not busy:
                    return
                time.sleep(interval)
        finally:
            loop.leases.close()


@app.command()
@handles_errors
def jobs(
    status_: Annotated[str | None, typer.Option("--status")] = None, json_out: JsonFlag = False
) -> None:
    """Jobs, oldest first."""
    rows = _refreshed(lambda model: queries.jobs(model, status_))
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(
            show.table(
                "jobs",
                rows,
                [
                    "job_id",
                    "action_type",
                    "status",
                    "description",
                    "owner_id",
                    "start_time",
                    "end_time",
                ],
            )
        )


@app.command()
@handles_errors
def job(job_id: UUID, json_out: JsonFlag = False) -> None:
    """One job with its step tree."""
    found = _refreshed(lambda model: queries.job(model, job_id))
    if json_out:
        show.emit_json(found)
    else:
        show.console.print(show.job_tree(found))


@app.command()
@handles_errors
def commands(
    status_: Annotated[str | None, typer.Option("--status")] = None, json_out: JsonFlag = False
) -> None:
    """command_entities: every command with its family and status."""
    rows = _refreshed(lambda model: queries.commands(model, status_))
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(
            show.table(
                "commands",
                rows,
                [
                    "command_id",
                    "command_type",
                    "status",
                    "parent_command_id",
                    "root_command_id",
                    "job_id",
                ],
            )
        )


@app.command()
@handles_errors
def tasks(json_out: JsonFlag = False) -> None:
    """async_tasks: storage tasks still tracked."""
    rows = _refreshed(queries.tasks)
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(
            show.table(
                "tasks",
                rows,
                [
                    "task_id",
                    "task_type",
                    "task_state",
                    "status",
                    "result",
                    "command_id",
                    "storage_pool_id",
                ],
            )
        )


@app.command()
@handles_errors
def locks(json_out: JsonFlag = False) -> None:
    """engine_locks: who holds which lock, since when, for which command."""
    rows = _refreshed(queries.locks)
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(
            show.table(
                "locks", rows, ["lock_group", "entity_id", "exclusive", "command_id", "since"]
            )
        )


def _refreshed(query: Callable[[ReadModel], Any]) -> Any:
    runtime = Context.runtime()
    runtime.refresh()
    return query(runtime.read_model)


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} needs a time zone, e.g. {text}+00:00")
    return moment


HISTORY_FIELDS = [
    "position",
    "timestamp",
    "aggregate_type",
    "aggregate_id",
    "event_type",
    "from_state",
    "to_state",
    "user",
    "correlation_id",
]


@app.command()
@handles_errors
def history(
    entity: Annotated[
        UUID | None,
        typer.Option(
            help="Every event touching this id, and the command families that worked on it."
        ),
    ] = None,
    aggregate: Annotated[UUID | None, typer.Option(help="Events of this aggregate.")] = None,
    correlation_id: Annotated[str | None, typer.Option()] = None,
    user: Annotated[str | None, typer.Option()] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Event type, e.g. Failed.")] = None,
    to_state: Annotated[str | None, typer.Option(help="e.g. FAILED.")] = None,
    action_type: Annotated[str | None, typer.Option(help="e.g. RemoveVm.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO timestamp with zone.")] = None,
    until: Annotated[str | None, typer.Option(help="ISO timestamp with zone.")] = None,
    newest_first: Annotated[bool, typer.Option()] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json_out: JsonFlag = False,
) -> None:
    """The event history, oldest first; --json prints JSON lines."""
    query = audit.AuditQuery(
        entity=entity,
        aggregate=aggregate,
        correlation_id=correlation_id,
        user=user,
        event_type=type_,
        to_state=to_state,
        action_type=action_type,
        since=_moment(since),
        until=_moment(until),
        newest_first=newest_first,
        limit=limit,
        offset=offset,
    )
    page = _refreshed(lambda model: audit.events(model, query))
    rows = [{k: e[k] for k in HISTORY_FIELDS} for e in page.events]
    if json_out:
        show.emit_json_lines(rows)
    else:
        show.console.print(show.table("history", rows, HISTORY_FIELDS))
        if page.next_offset is not None:
            show.console.print(f"more: --offset {page.next_offset}")


@app.command()
@handles_errors
def failed(json_out: JsonFlag = False) -> None:
    """Root commands that ended with failure: the step that failed and the storage error."""
    rows = [f.model_dump(mode="json") for f in _refreshed(audit.failed_commands)]
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(
            show.table(
                "failed commands",
                rows,
                [
                    "command_type",
                    "command_id",
                    "ended_at",
                    "user",
                    "failed_step_type",
                    "failed_step_number",
                    "storage_error",
                ],
            )
        )


@app.command("replay")
@handles_errors
def replay_command(
    aggregate_id: Annotated[UUID, typer.Argument(metavar="ID")],
    version: Annotated[int | None, typer.Option(min=1)] = None,
    at: Annotated[str | None, typer.Option(help="ISO timestamp with zone.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """An aggregate (or a job's tree) as it stood at a version or a moment, and its path there."""
    if version is not None and at is not None:
        raise ValueError("give --version or --at, not both")
    store = Context.runtime().store
    state = replay.state_at(store, aggregate_id, version=version, at=_moment(at))
    result: dict[str, Any] = {
        "state": state.model_dump(mode="json"),
        "path": [
            t.model_dump(mode="json")
            for t in replay.transitions(store, aggregate_id, state.version)
        ],
    }
    if state.aggregate_type == "Job":
        result["tree"] = replay.job_tree_at(store, aggregate_id, _moment(at) or state.modified_on)
    if json_out:
        show.emit_json(result)
        return
    show.console.print_json(json.dumps(result["state"], default=str))
    show.console.print(
        show.table(
            "path",
            result["path"],
            ["version", "timestamp", "event_type", "trigger", "from_state", "to_state", "user"],
        )
    )


@app.command("blocked")
@handles_errors
def blocked_command(
    item_id: Annotated[UUID | None, typer.Argument(metavar="[ID]")] = None,
    older_than: Annotated[
        float, typer.Option(min=0, help="Only what has not moved for this long (s).")
    ] = 0,
    json_out: JsonFlag = False,
) -> None:
    """What is in flight, what each waits on, and for how long it has not moved."""
    runtime = Context.runtime()
    loop = runtime.loop()
    loop.follow()
    found = [
        b
        for b in list_blocked(runtime.engine, loop.in_flight, SystemClock().now())
        if b.idle_seconds >= older_than and (item_id is None or b.id == item_id)
    ]
    if item_id is not None and not found:
        raise ValueError(f"{item_id} is not in flight")
    rows = [b.model_dump(mode="json") for b in found]
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(
            show.table("blocked", rows, ["kind", "id", "state", "waiting_on", "idle_seconds"])
        )


@app.command("export")
@handles_errors
def export_command(job_id: UUID, file: Path) -> None:
    """Write a job's whole tree of events to one file (an incident bundle)."""
    runtime = Context.runtime()
    runtime.refresh()
    count = bundle.export_job(runtime.store, runtime.read_model, job_id, file)
    show.errors.print(f"exported {count} events of job {job_id} to {file}")


@app.command("import")
@handles_errors
def import_command(file: Path) -> None:
    """Load an incident bundle into an empty database and build its read model."""
    store = open_event_store(Context.settings.db)
    job_id, count = bundle.import_bundle(store, file)
    model = ReadModel(store)
    model.create()
    with _progress("projecting", False) as progress:
        model.catch_up(progress=progress)
    show.errors.print(f"imported {count} events; tasktrail job {job_id}")


@projections_app.command("status")
@handles_errors
def projections_status(json_out: JsonFlag = False) -> None:
    """Each projection's position and lag behind the store."""
    rows = [
        {"name": s.name, "position": s.position, "head": s.head, "lag": s.lag}
        for s in status(Context.runtime().store)
    ]
    if json_out:
        show.emit_json(rows)
    else:
        show.console.print(show.table("projections", rows, ["name", "position", "head", "lag"]))


@projections_app.command("rebuild")
@handles_errors
def projections_rebuild(json_out: JsonFlag = False) -> None:
    """Drop and rebuild every table from the first event."""
    runtime = Context.runtime()
    with _progress("rebuilding", json_out) as progress:
        applied = runtime.read_model.rebuild(runtime.settings.batch_size, progress=progress)
    if json_out:
        show.emit_json({"rebuilt": applied})
    else:
        show.console.print(f"rebuilt the read model from {applied} events")


@projections_app.command("verify")
@handles_errors
def projections_verify(json_out: JsonFlag = False) -> None:
    """Rebuild into shadow tables and compare row by row; exit 1 on any drift."""
    with _progress("verifying", json_out) as progress:
        drift = verify(Context.runtime().store, progress=progress)
    rows = [d.__dict__ for d in drift]
    if json_out:
        show.emit_json({"drift": rows})
    elif rows:
        show.console.print(show.table("drift", rows, ["table", "key", "column", "live", "rebuilt"]))
    else:
        show.console.print("no drift: every table matches a fresh rebuild")
    if rows:
        raise typer.Exit(1)


@contextmanager
def _progress(description: str, json_out: bool) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on a terminal; nothing for --json or when output is piped."""
    if json_out or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    with Progress(console=show.errors, transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def main() -> None:
    app()
