"""Incident bundles: a job's whole tree of events carried to another database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tasktrail.runners.bundle import export_job, import_bundle, read_bundle
from tasktrail.runners.cli import context
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.options import IdText


def export(
    ctx: typer.Context,
    job: IdText,
    file: Annotated[Path, typer.Argument(help="Where to write it; '-' for standard output.")],
    force: Annotated[bool, typer.Option(help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write a job's whole tree of events to one file (an incident bundle, format 2)."""
    runtime = context.refreshed(ctx)
    job_id = context.resolve(runtime, job)
    count = export_job(runtime.read_model, job_id, file, force=force)
    show.errors.print(f"exported {count} events of job {job_id} to {file}")


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The bundle; '-' for standard input.")],
    resume: Annotated[
        bool,
        typer.Option(help="Let engines carry on the job's in-flight commands (default: archive)."),
    ] = False,
) -> None:
    """Load a bundle into an empty database, all or nothing, and build its read model.

    The whole bundle is checked before anything is written. Without --resume the database
    is an archive: `serve`, `demo` and `run --wait` refuse to run on it.
    """
    bundle, events = read_bundle(file)
    runtime = context.runtime(ctx)
    count = import_bundle(runtime.store, bundle, events, resume=resume)
    with show.progress("projecting", json_out=False) as progress:
        runtime.read_model.catch_up(runtime.settings.batch_size, progress=progress)
    kept = "resumable" if resume else "an archive"
    show.errors.print(f"imported {count} events; tasktrail job {bundle.job_id} ({kept})")
