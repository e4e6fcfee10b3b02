"""``/metrics``: what an operator graphs and alerts on, in Prometheus' text format.

Counts come from the read model at each scrape (commands by type and status, in flight) and
from the log (projection lag); the histograms are this process's own: storage polls of its
engine, and task end → root end as its log watcher saw them pass.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tasktrail.runners.api import reading
from tasktrail.runners.api.prometheus import labels, metric
from tasktrail.runners.api.state import ApiState
from tasktrail.runners.leases import APPLICATION_NAME


def exposition(state: ApiState) -> str:
    families = [*_commands(state), *_projection(state), _engines(state), *_storage(state)]
    families.append(
        state.latency.histogram.family(
            "tasktrail_task_end_to_root_end_seconds",
            "Seconds from a root command's last storage task ending to the root ending.",
        )
    )
    return "\n".join(families) + "\n"


def _commands(state: ApiState) -> list[str]:
    model = state.runtime.read_model
    counts = [
        (labels(action_type=c.action_type, status=c.status), float(c.count))
        for c in reading.command_counts(model)
    ]
    return [
        metric("tasktrail_commands", "gauge", "Commands by action type and status.", counts),
        metric(
            "tasktrail_commands_in_flight",
            "gauge",
            "Commands not yet ended.",
            [("", float(reading.in_flight(model)))],
        ),
    ]


def _projection(state: ApiState) -> list[str]:
    """How far the read model is behind the log, in events and in seconds of the oldest one."""
    runtime = state.runtime
    position, head = runtime.read_model.position(), runtime.store.head()
    oldest = runtime.store.read(position, 1) if head > position else []
    seconds = (datetime.now(UTC) - oldest[0].event.timestamp).total_seconds() if oldest else 0.0
    return [
        metric(
            "tasktrail_projection_lag_events",
            "gauge",
            "Events stored but not yet in the read model.",
            [("", float(head - position))],
        ),
        metric(
            "tasktrail_projection_lag_seconds",
            "gauge",
            "Age of the oldest event not yet in the read model.",
            [("", seconds)],
        ),
    ]


def _engines(state: ApiState) -> str:
    """On PostgreSQL, every engine holding leases on the database; on SQLite, this one."""
    database = state.runtime.database
    if database.dialect.name == "postgresql":
        query = sa.text(
            "select count(*) from pg_stat_activity "
            "where application_name = :name and datname = current_database()"
        )
        with database.connect() as connection:
            alive = float(connection.execute(query, {"name": APPLICATION_NAME}).scalar_one())
    else:
        alive = float(state.engine is not None and state.engine.alive)
    return metric(
        "tasktrail_engines_alive", "gauge", "Engine loops serving the database.", [("", alive)]
    )


def _storage(state: ApiState) -> list[str]:
    """The SPM polls of this process's engine (none without ``--engine``)."""
    if state.engine is None:
        return []
    storage = state.engine.storage
    return [
        metric(
            "tasktrail_storage_poll_failures_total",
            "counter",
            "SPM polls that failed.",
            [("", float(storage.failures))],
        ),
        storage.latency.family(
            "tasktrail_storage_poll_seconds",
            "Seconds per SPM poll of a storage pool (SPMGetAllTasksStatuses).",
        ),
    ]
