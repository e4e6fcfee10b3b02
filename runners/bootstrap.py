"""The composition root: one function wires store, storage, engine and read model."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from domain.clock import SystemClock
from domain.framework.engine import Engine
from domain.framework.engine_ports import EngineNotice, EnginePorts
from domain.store import EventStore
from projections.read_model import ReadModel
from runners.callback_timing import CallbackTiming
from runners.checkpoint import Checkpoint
from runners.crash_points import install_from_environment
from runners.database import open_event_store, schema_lock
from runners.engine_loop import EngineLoop
from runners.leases import leases_for
from runners.settings import Settings
from runners.simulated_spm import SimulatedSpm

log = logging.getLogger("tasktrail.notices")


@dataclass
class Runtime:
    settings: Settings
    store: EventStore
    spm: SimulatedSpm
    engine: Engine
    read_model: ReadModel
    notices: deque[EngineNotice]
    """The latest domain events fired to listeners (VmDeleted, …), bounded for long runs."""

    def loop(
        self, executor: Executor | None = None, on_executed: Callable[[], None] | None = None
    ) -> EngineLoop:
        """An engine loop that resumes from the shared checkpoint and leases its share of work."""
        database = self.store.recorder.datastore.engine  # type: ignore[attr-defined]
        settings = self.settings
        return EngineLoop(
            self.engine,
            batch_size=settings.batch_size,
            leases=leases_for(database),
            timing=CallbackTiming(settings.callback_initial, settings.callback_maximum),
            executor=executor,
            checkpoint=Checkpoint(database),
            pool_interval=settings.poll_interval,
            checkpoint_interval=settings.checkpoint_interval,
            on_executed=on_executed,
        )

    def refresh(self) -> int:
        """Brings the read model up to the store's head; returns the events applied."""
        return self.read_model.catch_up(self.settings.batch_size)


def build_runtime(settings: Settings, *, execute_inline: bool = False) -> Runtime:
    """Opens everything on ``settings.db``; nothing connects before this is called.

    With ``execute_inline`` false, valid commands wait for ``serve`` to execute them.
    """
    with schema_lock(settings.db):
        store = open_event_store(settings.db)
        clock = SystemClock()
        database = store.recorder.datastore.engine  # type: ignore[attr-defined]
        spm = SimulatedSpm(database, clock, settings.spm_task_seconds)
        read_model = ReadModel(store)
        read_model.create()
        Checkpoint(database)
    install_from_environment(store)
    notices: deque[EngineNotice] = deque(maxlen=100)

    def notify(notice: EngineNotice) -> None:
        log.info("%s %s (command %s)", notice.name, notice.entity_id, notice.command_id)
        notices.append(notice)

    ports = EnginePorts(store=store, storage=spm, clock=clock, notify=notify)
    engine = Engine(ports, submit=None if execute_inline else _later)
    return Runtime(settings, store, spm, engine, read_model, notices)


def _later(_: object) -> None:
    """Validated commands are recorded NOT_STARTED; a serving engine picks them up."""
