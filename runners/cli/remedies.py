"""Finishing what failed and stopping what runs: ``redrive``, ``cancel``, ``remediate``.

Each is planned first through the domain's checks: bad input (an unknown id, a command that
succeeded, a job that has ended) is refused in one line with exit code 2 before anything is
written. ``--dry-run`` prints the plan and writes nothing.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

import typer

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Cause
from tasktrail.projections.remediation import FAILED, RUNNING, Selection, roots
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.local_engine import LocalEngine
from tasktrail.runners.cli.options import JsonFlag, Moment, moment
from tasktrail.runners.histories import root_command
from tasktrail.runners.remediation import Item, Remedy, apply, plan, run_batch

COLUMNS = ["command_id", "action_type", "plan", "outcome"]
DryRun = Annotated[bool, typer.Option(help="Say what would happen; write nothing.")]
Wait = Annotated[bool, typer.Option(help="Drive it here until it has ended.")]
User = Annotated[str, typer.Option(help="Who asks (recorded on every event).")]
Correlation = Annotated[str | None, typer.Option(help="Ties the batch's events together.")]


def _cause(runtime: Runtime, user: str, correlation_id: str | None) -> Cause:
    correlation = correlation_id or f"remedy-{uuid4().hex[:12]}"
    return Cause.of(runtime.ports.clock, user_id=user, correlation_id=correlation)


def _one(
    ctx: typer.Context,
    remedy: Remedy,
    target: UUID,
    asked_by: tuple[str, str | None],
    flags: tuple[bool, bool, bool],
) -> None:
    """A redrive or cancel of one tree: planned (refused, exit 2, if there is nothing to do),
    then unless ``dry_run`` done and, with ``wait``, driven here until it has ended."""
    dry_run, wait, json_out = flags
    runtime = context.refreshed(ctx)
    root = root_command(runtime.store, runtime.read_model, target)
    item = plan(runtime, remedy, root, runtime.store.load(Command, root).action_type)
    if not item.actionable:
        raise ValueError(item.plan.removeprefix("skip: "))
    if not dry_run:
        cause = _cause(runtime, *asked_by)
        also = (root,) if remedy is Remedy.CANCEL else ()
        _apply_and_wait(runtime, remedy, item, cause, wait, *also)
    _show(item, json_out)


def redrive(
    ctx: typer.Context,
    command: Annotated[UUID, typer.Argument(metavar="COMMAND", help="A failed command or job.")],
    dry_run: DryRun = False,
    wait: Wait = True,
    user: User = "admin",
    correlation_id: Correlation = None,
    json_out: JsonFlag = False,
) -> None:
    """Finish a failed command tree from where it failed, as a new command caused by it."""
    _one(ctx, Remedy.RETRY, command, (user, correlation_id), (dry_run, wait, json_out))


def cancel(
    ctx: typer.Context,
    target: Annotated[UUID, typer.Argument(metavar="JOB|COMMAND", help="A running one.")],
    dry_run: DryRun = False,
    wait: Wait = True,
    user: User = "admin",
    correlation_id: Correlation = None,
    json_out: JsonFlag = False,
) -> None:
    """Stop a running command as oVirt does: its storage tasks stopped on the SPM, then it
    fails (end action with failure, job FAILED, locks freed, tasks cleared)."""
    _one(ctx, Remedy.CANCEL, target, (user, correlation_id), (dry_run, wait, json_out))


def _show(item: Item, json_out: bool) -> None:
    if json_out:
        show.emit_json(item.as_row())
        return
    done = f" → {item.outcome}" if item.outcome else " (dry run: nothing written)"
    text = f"{item.action_type} {item.command_id}: {item.plan}{done}"
    show.console.print(text, markup=False, highlight=False, soft_wrap=True)


def _apply_and_wait(
    runtime: Runtime, remedy: Remedy, item: Item, cause: Cause, wait: bool, *more: UUID
) -> None:
    recorded = apply(runtime, remedy, item, cause)
    if not wait or recorded is None:
        return
    with LocalEngine(runtime) as here:
        for command_id in (recorded, *more):
            here.drive(command_id)
    state = runtime.store.load_any(recorded).state.value
    item.outcome += f", ended {state}"


def remediate(
    ctx: typer.Context,
    retry: Annotated[bool, typer.Option("--retry", help="Redrive failed commands.")] = False,
    cancel: Annotated[bool, typer.Option("--cancel", help="Cancel running commands.")] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Clear failed commands' jobs.")] = False,
    action_type: Annotated[str | None, typer.Option(help="e.g. RemoveVm.")] = None,
    user: Annotated[str | None, typer.Option(help="Only commands this user ran.")] = None,
    correlation_id: Annotated[str | None, typer.Option(help="Only this request's.")] = None,
    entity: Annotated[UUID | None, typer.Option(help="Only families that touched it.")] = None,
    since: Moment = None,
    until: Moment = None,
    dry_run: DryRun = False,
    stop_on_error: Annotated[bool, typer.Option(help="Stop at the first refusal.")] = False,
    by: Annotated[str, typer.Option(help="Who asks (recorded on every event).")] = "admin",
    json_out: JsonFlag = False,
) -> None:
    """Retry, cancel or clear many root commands at once, chosen like `history`; every item
    and what happens to it is listed. Running it again does nothing more (items done skip).
    Exits 1 if an item was refused."""
    remedy = _one_remedy(retry, cancel, clear)
    chosen = Selection(
        statuses=RUNNING if remedy is Remedy.CANCEL else FAILED,
        action_type=action_type,
        user=user,
        correlation_id=correlation_id,
        since=moment(since),
        until=moment(until),
        entity=entity,
    )
    runtime = context.refreshed(ctx)
    rows = roots(runtime.read_model, chosen)
    items = [plan(runtime, remedy, r["command_id"], r["command_type"]) for r in rows]
    job_id = None
    if not dry_run:
        cause = _cause(runtime, by, None)
        with show.progress(f"remediate --{remedy.value}", json_out) as report:
            job_id = run_batch(
                runtime, remedy, items, cause, stop_on_error=stop_on_error, report=report
            )
    rows = [i.as_row() for i in items]
    show.listing(
        f"remediate --{remedy.value}", rows, COLUMNS, json_out, context.display(ctx, runtime)
    )
    if job_id is not None and not json_out:
        show.console.print(f"batch job {job_id} (tasktrail job {job_id})", highlight=False)
    if any(i.outcome.startswith("refused") for i in items):
        raise typer.Exit(1)


def _one_remedy(retry: bool, cancel: bool, clear: bool) -> Remedy:
    given = ((Remedy.RETRY, retry), (Remedy.CANCEL, cancel), (Remedy.CLEAR, clear))
    chosen = [remedy for remedy, on in given if on]
    if len(chosen) != 1:
        raise ValueError("give exactly one of --retry, --cancel, --clear")
    return chosen[0]
