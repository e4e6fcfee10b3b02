"""Finishing what failed and stopping what runs: ``redrive``, ``cancel``, ``remediate``.

Each is planned first through the domain's checks: bad input (an unknown id, a command that
succeeded, a job that has ended) is refused in one line with exit code 2 before anything is
written. ``--dry-run`` prints the plan and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID, uuid4

import typer

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Cause
from tasktrail.projections.remediation import FAILED, RUNNING, Selection, roots
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import choices, context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.display import Display
from tasktrail.runners.cli.local_engine import LocalEngine
from tasktrail.runners.cli.options import JsonFlag, Moment, moment, one_of
from tasktrail.runners.cli.tables import ids_in, named_in, typed
from tasktrail.runners.histories import root_command
from tasktrail.runners.remediation import Item, Remedy, apply, plan, run_batch

COLUMNS = ["command_id", "action_type", "plan", "outcome"]
DryRun = Annotated[bool, typer.Option(help="Say what would happen; write nothing.")]
Wait = Annotated[bool, typer.Option(help="Drive it here until it has ended.")]
User = Annotated[str, typer.Option(help="Who asks (recorded on every event).")]
Correlation = Annotated[str | None, typer.Option(help="Ties the batch's events together.")]
Target = Annotated[
    str,
    typer.Argument(
        metavar="JOB|COMMAND", help="A command, or its job (an id or a unique prefix of one)."
    ),
]


def _cause(runtime: Runtime, user: str, correlation_id: str | None) -> Cause:
    correlation = correlation_id or f"remedy-{uuid4().hex[:12]}"
    return Cause.of(runtime.ports.clock, user_id=user, correlation_id=correlation)


def _one(
    ctx: typer.Context,
    remedy: Remedy,
    typed: str,
    asked_by: tuple[str, str | None],
    flags: tuple[bool, bool, bool],
) -> None:
    """A redrive or cancel of one tree: planned (refused, exit 2, if there is nothing to do),
    then unless ``dry_run`` done and, with ``wait``, driven here until it has ended."""
    dry_run, wait, json_out = flags
    runtime = context.refreshed(ctx)
    root = root_command(runtime.store, runtime.read_model, context.resolve(runtime, typed))
    item = plan(runtime, remedy, root, runtime.store.load(Command, root).action_type)
    if not item.actionable:
        raise ValueError(item.plan.removeprefix("skip: "))
    if not dry_run:
        cause = _cause(runtime, *asked_by)
        also = (root,) if remedy is Remedy.CANCEL else ()
        _apply_and_wait(runtime, remedy, item, cause, wait, *also)
    _show(item, json_out, context.display(ctx, runtime))


def _for_one(remedy: Remedy, doc: str) -> Callable[..., None]:
    """The command that applies ``remedy`` to one tree: redrive and cancel take the same
    target and options."""

    def command(
        ctx: typer.Context,
        target: Target,
        dry_run: DryRun = False,
        wait: Wait = True,
        user: User = "admin",
        correlation_id: Correlation = None,
        json_out: JsonFlag = False,
    ) -> None:
        _one(ctx, remedy, target, (user, correlation_id), (dry_run, wait, json_out))

    command.__doc__ = doc
    command.__name__ = remedy.value
    return command


redrive = _for_one(
    Remedy.RETRY,
    "Finish a failed command tree from where it failed, as a new command caused by it.",
)
cancel = _for_one(
    Remedy.CANCEL,
    """Stop a running command as oVirt does: its storage tasks stopped on the SPM, then it
    fails (end action with failure, job FAILED, locks freed, tasks cleared).""",
)


def _show(item: Item, json_out: bool, display: Display) -> None:
    if json_out:
        show.emit_json(item.as_row())
        return
    done = f" → {item.outcome}" if item.outcome else " (dry run: nothing written)"
    said = f"{item.action_type} {item.command_id}: {item.plan}{done}"
    text = named_in(said, display.namer(ids_in([said])))
    show.console.print(text, markup=False, highlight=False)


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
    action_type: Annotated[str | None, typer.Option(help="e.g. RemoveVm (any case).")] = None,
    user: Annotated[str | None, typer.Option(help="Only commands this user ran.")] = None,
    correlation_id: Annotated[str | None, typer.Option(help="Only this request's.")] = None,
    entity: Annotated[
        str | None, typer.Option(help="Only families that touched it (an id or a prefix).")
    ] = None,
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
    action = one_of("--action-type", action_type, choices.ACTIONS)
    runtime = context.refreshed(ctx)
    chosen = Selection(
        statuses=RUNNING if remedy is Remedy.CANCEL else FAILED,
        action_type=action,
        user=user,
        correlation_id=correlation_id,
        since=moment(since),
        until=moment(until, whole=True),
        entity=context.resolve(runtime, entity) if entity else None,
    )
    rows = roots(runtime.read_model, chosen)
    items = [plan(runtime, remedy, r["command_id"], r["command_type"]) for r in rows]
    job_id = None
    if not dry_run:
        cause = _cause(runtime, by, None)
        with show.progress(f"remediate --{remedy.value}", json_out) as report:
            job_id = run_batch(
                runtime, remedy, items, cause, stop_on_error=stop_on_error, report=report
            )
    rows = [typed(i.as_row()) for i in items]
    show.listing(
        f"remediate --{remedy.value}", rows, COLUMNS, json_out, context.display(ctx, runtime)
    )
    if job_id is not None and not json_out:
        name = context.display(ctx, runtime).namer([job_id])(job_id)
        show.console.print(f"batch job {name} (tasktrail job {name})", highlight=False)
    if any(i.outcome.startswith("refused") for i in items):
        raise typer.Exit(1)


def _one_remedy(retry: bool, cancel: bool, clear: bool) -> Remedy:
    given = ((Remedy.RETRY, retry), (Remedy.CANCEL, cancel), (Remedy.CLEAR, clear))
    chosen = [remedy for remedy, on in given if on]
    if len(chosen) != 1:
        raise ValueError("give exactly one of --retry, --cancel, --clear")
    return chosen[0]
