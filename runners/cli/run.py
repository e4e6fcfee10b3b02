"""Running actions: ``run`` records one (with --wait, drives it here); ``serve`` does the work."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tasktrail.domain.services.restart import RestartPolicy
from tasktrail.projections import queries
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.local_engine import LocalEngine
from tasktrail.runners.cli.logs import LogFormat, LogLevel, log_to_stderr
from tasktrail.runners.cli.options import JsonFlag, parse_params, read_params_file
from tasktrail.runners.cli.outcome import outcome, tell
from tasktrail.runners.serve import StoppedWhileStarting, stopping_while_starting
from tasktrail.runners.serve import serve as serve_until_stopped


def run(
    ctx: typer.Context,
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
    runtime = context.runtime(ctx)
    if wait:
        with LocalEngine(runtime) as here:
            returned = here.run_to_end(action, params, user=user, correlation_id=correlation_id)
    else:
        returned = runtime.engine.run_action(
            action, params, user=user, correlation_id=correlation_id
        )
    told = outcome(runtime, action, returned)
    if json_out:
        show.emit_json(told)
    else:
        tell(told, context.display(ctx, runtime))
    if not returned.valid or (wait and not returned.succeeded):
        raise typer.Exit(1)


def run_multiple(
    ctx: typer.Context,
    action: str,
    params_file: Annotated[
        Path,
        typer.Option(
            "--params-file",
            exists=True,
            dir_okay=False,
            help="A JSON list of parameter objects, one per action ('-' is not accepted).",
        ),
    ],
    only_if_all_valid: Annotated[
        bool, typer.Option(help="Run none unless every one is valid (runOnlyIfAllValid).")
    ] = False,
    wait_for_result: Annotated[
        bool, typer.Option(help="Run them here to their end (waitForResult).")
    ] = False,
    user: Annotated[str, typer.Option(help="Who runs them.")] = "admin",
    json_out: JsonFlag = False,
) -> None:
    """Run one action many times, validated 10 at a time (oVirt's runMultipleActions);
    prints one ActionReturnValue per entry; exits 1 if any is refused (or, waiting, failed)."""
    params_list = read_params_file(params_file)
    runtime = context.runtime(ctx)
    if wait_for_result:
        with LocalEngine(runtime) as here:
            returned = here.run_all_to_end(
                action, params_list, user=user, only_if_all_valid=only_if_all_valid
            )
    else:
        returned = runtime.engine.run_multiple_actions(
            action, params_list, user=user, run_only_if_all_valid=only_if_all_valid
        )
    answers = [r.model_dump(mode="json") for r in returned]
    if json_out:
        show.emit_json(answers)
    else:
        show.console.print_json(data=answers)
    if not all(r.valid and (r.succeeded or not wait_for_result) for r in returned):
        raise typer.Exit(1)


def serve(
    ctx: typer.Context,
    until_idle: Annotated[
        bool,
        typer.Option(
            help="Exit once nothing is in flight: 0, or 1 if a job ended FAILED meanwhile."
        ),
    ] = False,
    poll_interval: Annotated[
        float | None, typer.Option(min=0.01, help="Seconds between polls.")
    ] = None,
    restart_policy: Annotated[
        RestartPolicy | None,
        typer.Option(help="Work left in flight: resume it, or do what oVirt does at start."),
    ] = None,
    log_level: Annotated[
        LogLevel, typer.Option(help="Least severe log line shown.")
    ] = LogLevel.INFO,
    log_format: Annotated[
        LogFormat, typer.Option(help="text, or json: one JSON object per line.")
    ] = LogFormat.TEXT,
) -> None:
    """Execute commands, poll storage and callbacks, keep projections current, until stopped.

    Logs to stderr; SIGTERM or SIGINT stops it after the current round (exit 0). Refuses a
    database imported from a bundle as an archive (exit 1).
    """
    log_to_stderr(log_level, log_format)
    try:
        with stopping_while_starting():
            runtime = context.lasting_runtime(
                ctx, poll_interval=poll_interval, restart_policy=restart_policy
            )
    except StoppedWhileStarting as stopped:
        logging.getLogger("tasktrail.serve").info("%s: stopped before serving", stopped)
        return
    started = datetime.now(UTC)
    serve_until_stopped(runtime, until_idle=until_idle)
    if until_idle:
        _refuse_failures(runtime, started)


def _refuse_failures(runtime: Runtime, since: datetime) -> None:
    """Exit 1 naming the jobs that ended FAILED while this engine served."""
    runtime.refresh()
    failed = [
        str(job["job_id"])
        for job in queries.jobs(runtime.read_model, "FAILED")
        if job["end_time"] is not None and job["end_time"] >= since
    ]
    if failed:
        raise context.refused(f"{len(failed)} job(s) ended FAILED: {', '.join(failed)}", 1)
