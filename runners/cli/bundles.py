"""Incident bundles: a job's whole tree of events carried to another database."""

from __future__ import annotations

from pathlib import Path

import typer

from runners.bundle import export_job, import_bundle
from runners.cli import context
from runners.cli import render as show
from runners.cli.options import IdText


def export(ctx: typer.Context, job: IdText, file: Path) -> None:
    """Write a job's whole tree of events to one file (an incident bundle)."""
    runtime = context.refreshed(ctx)
    job_id = context.resolve(runtime, job)
    count = export_job(runtime.store, runtime.read_model, job_id, file)
    show.errors.print(f"exported {count} events of job {job_id} to {file}")


def import_(ctx: typer.Context, file: Path) -> None:
    """Load an incident bundle into an empty database and build its read model."""
    runtime = context.runtime(ctx)
    job_id, count = import_bundle(runtime.store, file)
    with show.progress("projecting", json_out=False) as progress:
        runtime.read_model.catch_up(runtime.settings.batch_size, progress=progress)
    show.errors.print(f"imported {count} events; tasktrail job {job_id}")
