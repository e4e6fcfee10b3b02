"""The composition root: one function wires store, cache, storage, engine and read model."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import sqlalchemy as sa

from tasktrail.domain.actions.registry import default_registry
from tasktrail.domain.model.clock import Clock
from tasktrail.domain.services.ports import EngineNotice, EngineSettings, Ports
from tasktrail.domain.services.restart import RestartPolicy
from tasktrail.projections.in_flight import ReadModelLookups
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.callback_timing import CallbackTiming
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.crash_points import install_from_environment
from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.engine import Engine
from tasktrail.runners.engine_loop import EngineLoop
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.follower import Follower
from tasktrail.runners.leases import Leases, leases_for
from tasktrail.runners.schema import require_head, upgrade
from tasktrail.runners.settings import Settings
from tasktrail.runners.simulated_spm import SimulatedSpm
from tasktrail.runners.wakeup import Wakeup

log = logging.getLogger("tasktrail.notices")


@dataclass
class Runtime:
    settings: Settings
    store: EventStore
    database: sa.Engine
    cache: AggregateCache
    read_model: ReadModel
    spm: SimulatedSpm
    ports: Ports
    engine: Engine
    wakeup: Wakeup
    notices: deque[EngineNotice]
    """The latest domain events fired to listeners (VmDeleted, …), bounded for long runs."""

    def loop(
        self, leases: Leases | None = None, restart_policy: RestartPolicy = RestartPolicy.RESUME
    ) -> EngineLoop:
        """An engine loop on this runtime's store, cache and read model."""
        settings = self.settings
        follower = Follower(self.store, self.read_model, self.cache, settings.batch_size)
        return EngineLoop(
            self.ports,
            self.store,
            self.cache,
            follower,
            leases=leases,
            notify=self.engine.notify,
            poll_interval=settings.poll_interval,
            timing=CallbackTiming(settings.callback_initial, settings.callback_maximum),
            restart_policy=restart_policy,
        )

    def shared_leases(self) -> Leases:
        """Partition leases for several engines on PostgreSQL; all partitions on SQLite."""
        return leases_for(self.database)

    def refresh(self) -> int:
        """Brings the read model up to the store's head; returns the events applied."""
        return self.read_model.catch_up(self.settings.batch_size)


def engine_settings(settings: Settings) -> EngineSettings:
    """The timings the domain's services follow, from the configured ones."""
    return EngineSettings(
        command_life=settings.command_life,
        job_cleanup_rate=settings.job_cleanup_rate,
        succeeded_job_life=settings.succeeded_job_life,
        failed_job_life=settings.failed_job_life,
    )


def build_runtime(
    settings: Settings, clock: Clock | None = None, *, read_only: bool = False
) -> Runtime:
    """Opens everything on ``settings.db``; nothing connects before this is called.

    ``read_only`` (a database opened ``mode=ro``) neither upgrades the schema nor adds the
    read model's tracking row: it must be at the head revision already.
    """
    database = database_engine(settings.db)
    if read_only:
        require_head(database)
    else:
        upgrade(database)
    store = open_event_store(settings.db)
    install_from_environment(store)
    clock = clock or SystemClock()
    spm = SimulatedSpm(database, clock, settings.spm_task_seconds)
    cache = AggregateCache(position=store.head())
    ports = Ports(
        clock=clock,
        storage=spm,
        registry=default_registry(),
        settings=engine_settings(settings),
        lookups=ReadModelLookups(database),
    )
    read_model = ReadModel(database, store)
    if not read_only:
        read_model.create()
    wakeup = Wakeup()
    notices: deque[EngineNotice] = deque(maxlen=100)

    def notify(notice: EngineNotice) -> None:
        log.info("%s %s (command %s)", notice.name, notice.entity_id, notice.command_id)
        notices.append(notice)

    engine = Engine(ports, store, cache, notify=notify, wake=wakeup.set)
    return Runtime(
        settings, store, database, cache, read_model, spm, ports, engine, wakeup, notices
    )
