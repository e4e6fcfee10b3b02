"""External jobs and steps: another system reports its own work as jobs and steps.

Each sub-command runs its oVirt action (AddExternalJob, AddExternalStep, EndExternalStep,
EndExternalJob, ClearExternalJob) to its end here and says in one line what it did (``--json``:
its ActionReturnValue, as ``run --json`` prints it); a refused one exits 1 with oVirt's
messages as a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import typer

from tasktrail.domain.model.step.machine import StepEnum
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.projections import queries
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.local_engine import LocalEngine
from tasktrail.runners.cli.messages import sentence
from tasktrail.runners.cli.options import IdText, JsonFlag
from tasktrail.runners.cli.outcome import outcome

_IDS = {"parent_id", "step_id", "job_id"}
"""The parameters a user may give as an id prefix."""
User = Annotated[str, typer.Option(help="Who reports it.")]
Failed = Annotated[bool, typer.Option("--failed", help="It ended badly.")]


def add_job(
    ctx: typer.Context,
    description: str,
    auto_cleared: Annotated[
        bool, typer.Option(help="Let the job cleanup delete it once ended.")
    ] = False,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """Start an external job (prints its id)."""
    params = {"description": description, "auto_cleared": auto_cleared}
    _run(ctx, "AddExternalJob", params, (user, json_out), "started external job {made}")


def add_step(
    ctx: typer.Context,
    parent: Annotated[
        str, typer.Argument(help="The job, or the step, it goes under (or a prefix).")
    ],
    description: str,
    step_type: Annotated[
        StepEnum, typer.Option("--type", case_sensitive=False)
    ] = StepEnum.EXECUTING,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """Start a step of an external job (prints its id)."""
    params = {"parent_id": parent, "description": description, "step_type": step_type}
    said = "started external step {made} under {parent_id}"
    _run(ctx, "AddExternalStep", params, (user, json_out), said)


def end_step(
    ctx: typer.Context,
    step: IdText,
    failed: Failed = False,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """End an external step; --failed also fails its job and the job's running steps."""
    params = {"step_id": step, "succeeded": not failed}
    said = f"ended external step {{step_id}} {'FAILED' if failed else 'FINISHED'}"
    _run(ctx, "EndExternalStep", params, (user, json_out), said)


def end_job(
    ctx: typer.Context,
    job: IdText,
    failed: Failed = False,
    force: Annotated[bool, typer.Option(help="Also let the job cleanup delete it.")] = False,
    user: User = "admin",
    json_out: JsonFlag = False,
) -> None:
    """End an external job and its running steps."""
    params = {"job_id": job, "succeeded": not failed, "force": force}
    said = "ended external job {job_id}: it is {status}"
    _run(ctx, "EndExternalJob", params, (user, json_out), said)


def clear_job(
    ctx: typer.Context, job: IdText, user: User = "admin", json_out: JsonFlag = False
) -> None:
    """Let the job cleanup delete an external job (its status stays)."""
    said = "external job {job_id} ({status}) left to the job cleanup"
    _run(ctx, "ClearExternalJob", {"job_id": job}, (user, json_out), said)


def _run(
    ctx: typer.Context, action: str, params: dict[str, Any], asked: tuple[str, bool], said: str
) -> None:
    """Runs ``action`` here to its end; ``said`` tells what it did, its ids as prefixes."""
    user, json_out = asked
    runtime = context.runtime(ctx)
    ids = {k: context.resolve(runtime, v) for k, v in params.items() if k in _IDS}
    with LocalEngine(runtime) as here:
        returned = here.run_to_end(action, {**params, **_texts(ids)}, user=user)
    if json_out:
        show.emit_json(outcome(runtime, action, returned))
    else:
        typer.echo(_told(ctx, runtime, (action, returned), said, ids))
    if not (returned.valid and returned.succeeded):
        raise typer.Exit(1)


def _told(
    ctx: typer.Context,
    runtime: Runtime,
    ran: tuple[str, ActionReturnValue],
    said: str,
    ids: dict[str, UUID],
) -> str:
    """One line: what it did, or why it was refused or failed (oVirt's messages, as text)."""
    action, returned = ran
    if not returned.valid:
        return f"{action} refused: {sentence(returned.validation_messages)}"
    if not returned.succeeded:
        return f"{action} failed: {sentence(returned.execute_failed_messages)}"
    return _said(ctx, runtime, said, {**ids, **_made(returned.action_return_value)})


def _texts(ids: dict[str, UUID]) -> dict[str, str]:
    return {k: str(v) for k, v in ids.items()}


def _made(value: Any) -> dict[str, UUID]:
    """The id an action made (its return value), if it made one."""
    return {"made": UUID(str(value))} if value is not None else {}


def _said(ctx: typer.Context, runtime: Runtime, said: str, ids: dict[str, UUID]) -> str:
    name = context.display(ctx, runtime).namer(ids.values())
    return said.format(**{k: name(v) for k, v in ids.items()}, **_status(runtime, ids))


def _status(runtime: Runtime, ids: dict[str, UUID]) -> dict[str, str]:
    """The status of the job the action named, as the read model has it now."""
    if "job_id" not in ids:
        return {}
    runtime.refresh()
    return {"status": queries.job(runtime.read_model, ids["job_id"])["status"]}


COMMANDS: dict[str, Callable[..., None]] = {
    "add-job": add_job,
    "add-step": add_step,
    "end-step": end_step,
    "end-job": end_job,
    "clear-job": clear_job,
}
