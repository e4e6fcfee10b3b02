"""A small world for flow tests: an engine on a database, a fake SPM, a pool and VMs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.actions.registry import default_registry
from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.services.command_base import ActionRegistry
from tasktrail.domain.services.ports import EngineNotice, EngineSettings, Ports, StoragePort
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.projections.in_flight import ReadModelLookups
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.engine import Engine
from tasktrail.runners.engine_loop import EngineLoop
from tasktrail.runners.follower import Follower
from tasktrail.runners.schema import upgrade
from tasktrail.runners.unit_of_work import UnitOfWork
from tests.fakes import FakeSpm, ManualClock

A = TypeVar("A", bound=StateMachineAggregate)
Event = StateMachineAggregate.Event


class Scenario:
    def __init__(
        self,
        url: str,
        storage_factory: Callable[[sa.Engine], StoragePort] | None = None,
        clock: ManualClock | None = None,
        settings: EngineSettings | None = None,
        registry: ActionRegistry | None = None,
    ) -> None:
        self.url = url
        self.database = database_engine(url)
        upgrade(self.database)
        self.store = open_event_store(url)
        self.spm = storage_factory(self.database) if storage_factory else FakeSpm()
        self.clock = clock or ManualClock()
        self.cache = AggregateCache(position=self.store.head())
        self.notices: list[EngineNotice] = []
        self.ports = Ports(
            clock=self.clock,
            storage=self.spm,
            registry=registry or default_registry(),
            settings=settings or EngineSettings(),
            lookups=ReadModelLookups(self.database),
        )
        self.engine = Engine(self.ports, self.store, self.cache, notify=self.notices.append)
        self.read_model = ReadModel(self.database, self.store)
        self.loop = self.new_loop()

    def new_loop(self, **options: Any) -> EngineLoop:
        follower = Follower(self.store, self.read_model, self.cache)
        options.setdefault("poll_interval", 0.0)
        return EngineLoop(
            self.ports, self.store, self.cache, follower, notify=self.notices.append, **options
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.store, self.cache, self.notices.append)

    def save(self, *aggregates: StateMachineAggregate) -> None:
        """Saves aggregates changed outside any unit of work (a test arranging its world)."""
        events = sorted((e for a in aggregates for e in a.collect_events()), key=_order)
        self.store.append(events)
        self.cache.evict(a.id for a in aggregates)

    def add_pool(self, name: str = "dc1") -> UUID:
        returned = self.engine.run_action("AddEmptyStoragePool", {"name": name}, user="admin")
        self.drive()
        return UUID(returned.action_return_value["storage_pool_id"])

    def add_vm(
        self, pool: UUID, disks: int = 3, name: str = "web1", status: str = "Down"
    ) -> tuple[UUID, list[UUID]]:
        returned = self.engine.run_action(
            "AddVm",
            {"name": name, "storage_pool_id": str(pool), "disks": disks, "status": status},
            user="admin",
        )
        assert returned.valid, returned.validation_messages
        self.drive()
        made = returned.action_return_value
        return UUID(made["vm_id"]), [UUID(d) for d in made["disk_ids"]]

    def remove_vm(self, vm_id: UUID, **params: object) -> ActionReturnValue:
        return self.engine.run_action(
            "RemoveVm", {"vm_id": str(vm_id), **params}, user="admin", correlation_id="corr-rm"
        )

    def drive(self) -> int:
        return self.loop.run_until_idle()

    def load(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate as stored (not as any cache holds it)."""
        return self.store.load(cls, aggregate_id)

    @property
    def position(self) -> int:
        return self.store.head()

    def events_since(self, position: int) -> list[Event]:
        return [r.event for r in self.store.read(position, 100_000)]

    def events_of(self, aggregate_id: UUID) -> list[Event]:
        return self.store.events_of(aggregate_id)

    def names_of(self, aggregate_id: UUID) -> list[str]:
        return [type(e).__name__ for e in self.events_of(aggregate_id)]

    def states_of(self, aggregate_id: UUID) -> list[str]:
        """The distinct states an aggregate went through, in order."""
        path: list[str] = []
        for event in self.events_of(aggregate_id):
            if not path or path[-1] != event.to_state:
                path.append(event.to_state)
        return path

    def command(self, command_id: UUID) -> Command:
        return self.load(Command, command_id)

    def family(self, root_id: UUID) -> list[Command]:
        """The root command and all its descendants, parents first."""
        found, queue = [], [root_id]
        while queue:
            command = self.command(queue.pop(0))
            found.append(command)
            queue.extend(command.child_ids)
        return found


def _order(event: Event) -> int:
    return event.sequence
