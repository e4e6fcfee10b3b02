"""What ``run`` says it did: refused, validated and queued for an engine, or executed here.

JSON keeps oVirt's ActionReturnValue and adds ``state``, the command's status now, and
``message``, its messages as a sentence; ``succeeded`` is null while the command has not
ended (it has not failed: it has not run).
"""

from __future__ import annotations

from typing import Any

import typer

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.display import Display
from tasktrail.runners.cli.messages import sentence


def outcome(runtime: Runtime, action: str, returned: ActionReturnValue) -> dict[str, Any]:
    """The return value with the command's state; ``succeeded`` null until it has ended."""
    messages = [*returned.validation_messages, *returned.execute_failed_messages]
    found = {**returned.model_dump(), "message": sentence(messages) or None}
    if returned.command_id is None or not runtime.store.exists(returned.command_id):
        return {**found, "action": action, "state": "REFUSED"}
    command = runtime.store.load(Command, returned.command_id)
    ended = command.state.is_ended
    return {
        **found,
        "action": action,
        "state": command.state.value,
        "succeeded": returned.succeeded if ended else None,
    }


def tell(told: dict[str, Any], display: Display) -> None:
    """One line of what happened, then where to look."""
    name = display.namer([x for x in (told["command_id"], told["job_id"]) if x is not None])
    action, job = told["action"], told["job_id"]
    if not told["valid"]:
        typer.echo(f"{action} refused: {sentence(told['validation_messages'])}")
    elif told["succeeded"] is None:
        typer.echo(
            f"{action} validated and queued for an engine (state {told['state']}): "
            f"command {name(told['command_id'])}" + (f", job {name(job)}" if job else "")
        )
        watch = f"tasktrail job {name(job)}" if job else "tasktrail commands"
        typer.echo(f"`tasktrail serve` runs it; watch it with `{watch}`")
    else:
        verb = "succeeded" if told["succeeded"] else "failed"
        typer.echo(
            f"{action} executed here and {verb} (state {told['state']}): "
            f"command {name(told['command_id'])}" + (f", job {name(job)}" if job else "")
        )
        if not told["succeeded"]:
            typer.echo(sentence(told["execute_failed_messages"]))
    if told["action_return_value"] is not None:
        typer.echo(f"result: {show.plain(told['action_return_value'])}")
