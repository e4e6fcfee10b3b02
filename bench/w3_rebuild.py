"""W3: rebuild and verify of a large history vs a bare read; audit query speed on it."""

from __future__ import annotations

import random
import time

import sqlalchemy as sa

from bench.backends import databases
from bench.history import grow, template
from bench.report import Row, percentile, stopwatch
from domain.store import EventStore
from projections import audit
from projections.read_model import ReadModel, verify


def run(quick: bool) -> list[Row]:
    total = 50_000 if quick else 1_000_000
    rows = []
    for backend, url in databases("w3"):
        store, events = template(url)
        grow(store, events, total)
        bare = _bare_read(store)
        model = ReadModel(store)
        with stopwatch() as rebuilt:
            model.rebuild(batch_size=2000)
        with stopwatch() as verified:
            drift = verify(store, batch_size=2000)
        rows += [
            Row(
                "W3 rebuild",
                f"rebuild events/s, {total:,} events ({backend})",
                total / rebuilt[0],
                "ev/s",
                "bare read + decode",
                bare,
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
            *_queries(model, backend),
        ]
    return rows


def _bare_read(store: EventStore) -> float:
    start, read = time.perf_counter(), 0
    position = 0
    while batch := store.recorder.select_notifications(position + 1, 2000):
        for notification in batch:
            store.mapper.to_domain_event(notification)
        read += len(batch)
        position = batch[-1].id
    return read / (time.perf_counter() - start)


def _queries(model: ReadModel, backend: str) -> list[Row]:
    vm = model.tables.vm_static
    with model.engine.connect() as connection:
        vms = list(connection.execute(sa.select(vm.c.vm_guid)).scalars())
    picks = random.Random(7).sample(vms, min(30, len(vms)))
    entity = [
        _timed(lambda v=v: audit.events(model, audit.AuditQuery(entity=v, limit=1000)))
        for v in picks
    ]
    failed = [_timed(lambda: audit.failed_commands(model)) for _ in range(30)]
    return [
        Row(
            "W3 queries",
            f"entity history p50 ({backend})",
            percentile(entity, 50),
            "ms",
            "interactive budget",
            100.0,
        ),
        Row(
            "W3 queries",
            f"entity history p99 ({backend})",
            percentile(entity, 99),
            "ms",
            "interactive budget",
            100.0,
        ),
        Row(
            "W3 queries",
            f"failed commands p50 ({backend})",
            percentile(failed, 50),
            "ms",
            "interactive budget",
            100.0,
        ),
        Row(
            "W3 queries",
            f"failed commands p99 ({backend})",
            percentile(failed, 99),
            "ms",
            "interactive budget",
            100.0,
        ),
    ]


def _timed(query: object) -> float:
    start = time.perf_counter()
    query()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000
