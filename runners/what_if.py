"""What-if replay: today's code deciding a recorded run again, with the run's own inputs.

The world is built in memory (an event store in memory, the read model in an in-memory
SQLite) from the recorded events that came before the run: each aggregate the run touched, up
to its first event the run caused (the VM, its disks, the pool and the locks as they stood).
The run's request is then validated again with its recorded action, parameters, user and
correlation id, and an engine loop drives it as ``serve`` would, with the storage and the
clock answered from the recording (``runners.recorded_ports``). Nothing reaches any
database. The would-be events are then set beside the recorded ones by role
(``projections.roles``) and the first decision that differs is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from tasktrail.domain.actions.registry import default_registry
from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.services.command_base import ActionRegistry
from tasktrail.domain.services.ports import EngineSettings, Ports
from tasktrail.projections.history_diff import Divergence, first_divergence, side_by_side
from tasktrail.projections.in_flight import ReadModelLookups
from tasktrail.projections.read_model import ReadModel
from tasktrail.projections.roles import TIMING, Decision, Roles, decisions
from tasktrail.projections.tables import LIVE
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.engine import Engine
from tasktrail.runners.engine_loop import EngineLoop
from tasktrail.runners.follower import Follower
from tasktrail.runners.histories import History, memory_store
from tasktrail.runners.recorded_ports import NoRecordedAnswer, RecordedClock, RecordedSpm

Event = StateMachineAggregate.Event
MAX_ROUNDS = 400
"""Engine rounds a replay may take; a recorded run of any size ends far sooner."""
STALLED_ROUNDS = 5
"""Rounds in a row recording nothing: the run waits for what the recording never saw."""
NAMES = ("would-be", "recorded")


@dataclass(frozen=True)
class WhatIf:
    """The would-be run beside the recorded one."""

    source: str
    recorded: list[Decision]
    replayed: list[Decision]
    divergence: Divergence | None
    gap: str | None
    """What the replayed code asked for that the recording does not hold, if anything."""

    @property
    def identical(self) -> bool:
        return self.divergence is None and self.gap is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "identical": self.identical,
            "divergence": self.divergence.as_dict() if self.divergence else None,
            "no_recorded_answer": self.gap,
            "events": side_by_side(self.replayed, self.recorded),
        }


def seed_of(history: History, roles: Roles) -> list[Event]:
    """Every recorded event before the run's first one on its aggregate."""
    run = {id(e) for e in roles.run_of(history.events)}
    begun: set[UUID] = set()
    seed = []
    for e in history.events:
        if id(e) in run:
            begun.add(e.originator_id)
        elif e.originator_id not in begun:
            seed.append(e)
    return seed


class _World:
    """The in-memory engine a replay runs on."""

    def __init__(
        self, run: list[Event], registry: ActionRegistry, settings: EngineSettings
    ) -> None:
        """``run``: the recorded run's events, which the storage and the clock answer from."""
        self.store = memory_store()
        database = sa.create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        LIVE.metadata.create_all(database)
        self.read_model = ReadModel(database, self.store)
        self.cache = AggregateCache()
        self.clock = RecordedClock(run)
        self.ports = Ports(
            clock=self.clock,
            storage=RecordedSpm(run),
            registry=registry,
            settings=settings,
            lookups=ReadModelLookups(database),
        )
        self.seeded = 0

    def seed(self, events: list[Event]) -> None:
        self.store.append(events)
        self.seeded = self.store.head()

    def request(self, root: Event) -> UUID | None:
        """The recorded request, validated again by today's code."""
        engine = Engine(self.ports, self.store, self.cache)
        returned = engine.run_action(
            str(getattr(root, "action_type", None)),
            dict(getattr(root, "parameters", None) or {}),
            user=root.meta.user_id,
            correlation_id=root.meta.correlation_id,
        )
        return returned.command_id

    def drive(self) -> None:
        ticks = count()
        follower = Follower(self.store, self.read_model, self.cache)
        loop = EngineLoop(
            self.ports,
            self.store,
            self.cache,
            follower,
            poll_interval=0.0,
            monotonic=lambda: next(ticks) * 1000.0,
        )
        quiet = 0
        for _ in range(MAX_ROUNDS):
            head = self.store.head()
            self.clock.done = head - self.seeded
            busy = loop.step()
            quiet = quiet + 1 if self.store.head() == head else 0
            if not busy or quiet >= STALLED_ROUNDS:
                return

    def events(self) -> list[Event]:
        return [r.event for r in self.store.read(0, self.store.head() + 1)]


def what_if(
    history: History,
    registry: ActionRegistry | None = None,
    settings: EngineSettings | None = None,
) -> WhatIf:
    """Replays ``history`` through today's code (or ``registry``'s) and compares the runs."""
    roles = Roles(history.events, history.root_id)
    recorded_run = roles.run_of(history.events)
    world = _World(recorded_run, registry or default_registry(), settings or EngineSettings())
    world.seed(seed_of(history, roles))
    root = next(e for e in recorded_run if e.originator_id == history.root_id)
    gap, new_root = None, None
    try:
        new_root = world.request(root)
        world.drive()
    except NoRecordedAnswer as missing:
        gap = str(missing)
    replayed_events = world.events()
    replayed_roles = Roles(replayed_events, new_root or history.root_id)
    recorded = decisions(recorded_run, roles)
    replayed = decisions(replayed_roles.run_of(replayed_events[world.seeded :]), replayed_roles)
    divergence = first_divergence(replayed, recorded, NAMES)
    return WhatIf(history.source, recorded, replayed, divergence, gap)


def _run(history: History) -> list[Decision]:
    roles = Roles(history.events, history.root_id)
    return decisions(roles.run_of(history.events), roles, TIMING)


def diff(first: History, second: History) -> dict[str, Any]:
    """Two recorded runs aligned by role and event order (polls that saw a task still
    running left out: they say when a poll looked): the first divergence and every slot."""
    left, right = _run(first), _run(second)
    divergence = first_divergence(left, right, ("A", "B"))
    return {
        "divergence": divergence.as_dict() if divergence else None,
        "events": side_by_side(left, right),
    }
