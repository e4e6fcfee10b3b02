"""W3: rebuild and verify of a large history vs a bare read; audit query speed on it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import partial
from uuid import UUID

import sqlalchemy as sa

from bench.backends import databases
from bench.copies import multiply
from bench.history import grow, template
from bench.report import Row, percentile, stopwatch
from bench.sizes import size
from tasktrail.projections import audit
from tasktrail.projections.read_model import ReadModel, verify
from tasktrail.runners.event_store import EventStore

TARGET = ("issue 18 target", 20.0)
"""Issue 18: entity-history p99 at most 20 ms at 1,000,000 events."""
BUDGET = ("interactive budget", 100.0)
REBUILD_TARGET = 0.4
"""Issue 18: rebuild at least 0.4x a bare read + decode."""


def run(quick: bool) -> list[Row]:
    total = size("w3_events", quick, 50_000, 1_000_000)
    queried = size("w3_query_events", quick, 1_000_000, 1_000_000)
    rows = []
    for backend, url in databases("w3"):
        flows, events = template(url)
        grow(flows.store, events, total)
        bare = _bare_read(flows.store)
        model = ReadModel(flows.database, flows.store)
        with stopwatch() as rebuilt:
            model.rebuild(batch_size=2000)
        with stopwatch() as verified:
            drift = verify(flows.database, flows.store, batch_size=2000)
        rows += [
            Row(
                "W3 rebuild",
                f"rebuild events/s, {total:,} events ({backend})",
                total / rebuilt[0],
                "ev/s",
                "bare read + decode",
                bare,
                f"target ≥ {REBUILD_TARGET}",
            ),
            Row(
                "W3 rebuild",
                f"verify events/s ({backend})",
                total / verified[0],
                "ev/s",
                "bare read + decode",
                bare,
                f"{len(drift)} differences",
            ),
            *_queries(model, backend, total),
        ]
        if queried > total:
            rows += _queries(model, backend, multiply(model, queried), copied=True)
    return rows


def _bare_read(store: EventStore) -> float:
    """Every stored event read in batches and decoded into its class, nothing else."""
    start, read = time.perf_counter(), 0
    position = 0
    while batch := store.read(position, 2000):
        read += len(batch)
        position = batch[-1].position
    return read / (time.perf_counter() - start)


def _queries(model: ReadModel, backend: str, total: int, copied: bool = False) -> list[Row]:
    e = model.tables.event_index
    with model.engine.connect() as connection:
        query = sa.select(e.c.aggregate_id).where(e.c.aggregate_type == "Vm").distinct()
        vms = list(connection.execute(query).scalars())
    picks = random.Random(7).sample(vms, min(30, len(vms)))
    entity = [_timed(partial(_history, model, vm)) for vm in picks]
    failed = [_timed(lambda: audit.failed_commands(model)) for _ in range(30)]
    at = f"{total:,} events ({backend})"
    note = "read model copied in SQL (bench.copies)" if copied else "rebuilt"
    return [
        _query_row(f"entity history p50, {at}", entity, 50, TARGET, note),
        _query_row(f"entity history p99, {at}", entity, 99, TARGET, note),
        _query_row(f"failed commands p50, {at}", failed, 50, BUDGET, note),
        _query_row(f"failed commands p99, {at}", failed, 99, BUDGET, note),
    ]


def _history(model: ReadModel, vm: UUID) -> None:
    audit.events(model, audit.AuditQuery(entity=vm, limit=1000))


def _query_row(
    figure: str, samples: list[float], pct: int, baseline: tuple[str, float], note: str
) -> Row:
    return Row("W3 queries", figure, percentile(samples, pct), "ms", *baseline, note)


def _timed(query: Callable[[], object]) -> float:
    start = time.perf_counter()
    query()
    return (time.perf_counter() - start) * 1000
