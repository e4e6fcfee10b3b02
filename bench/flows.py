"""An engine on a fresh database, wired as ``runners.bootstrap`` wires one, to drive RemoveVm.

The storage is chosen by the workload: ``InstantSpm`` (in memory, finished by the first poll)
measures the engine alone; a ``SimulatedSpm`` (tables in the same database) measures it with
storage tasks that take time. The store's ``append`` is wrapped to count what each transaction
carried (and, when asked, when each event was committed): that is the bench's only hook.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa

from bench.instant_spm import InstantSpm
from tasktrail.domain.actions.registry import default_registry
from tasktrail.domain.services.ports import Ports, StoragePort
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.clocks import SystemClock
from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.engine import Engine
from tasktrail.runners.engine_loop import EngineLoop
from tasktrail.runners.event_store import Event, EventStore
from tasktrail.runners.follower import Follower
from tasktrail.runners.schema import upgrade
from tasktrail.runners.settings import Settings
from tasktrail.runners.simulated_spm import SimulatedSpm
from tasktrail.runners.wakeup import Wakeup

StorageFactory = Callable[[sa.Engine], StoragePort]


def fresh_store(url: str) -> EventStore:
    """The event store on ``url``, its tables made first (a new database has none)."""
    database = database_engine(url)
    upgrade(database)
    database.dispose()
    return open_event_store(url)


class Transactions:
    """Wraps ``store.append``: the events of each transaction, and when each event committed."""

    def __init__(self, store: EventStore, *, timed: bool = False, record: bool = True) -> None:
        self.sizes: list[int] = []
        self.committed: dict[tuple[UUID, int], datetime] = {}
        """(aggregate id, version) -> the moment its transaction returned (``timed`` only)."""
        append = store.append

        def counted(events: Sequence[Event]) -> list[int]:
            positions = append(events)
            if events and record:
                self.sizes.append(len(events))
            if timed:
                now = datetime.now(UTC)
                for event in events:
                    self.committed[(event.originator_id, event.originator_version)] = now
            return positions

        store.append = counted  # type: ignore[method-assign]

    def clear(self) -> None:
        self.sizes.clear()
        self.committed.clear()


class Flows:
    """One engine (store, cache, read model, loop) with a storage pool, ready for VMs."""

    def __init__(
        self,
        url: str,
        storage: StorageFactory | None = None,
        *,
        poll_interval: float = 0.0,
        timed: bool = False,
        record: bool = True,
    ) -> None:
        """``timed``: remember when each event committed; ``record``: count transactions at
        all (off where memory is measured)."""
        self.url = url
        self.store = fresh_store(url)
        self.database = database_engine(url)
        self.transactions = Transactions(self.store, timed=timed, record=record)
        self.cache = AggregateCache()
        self.spm = storage(self.database) if storage else InstantSpm()
        self.ports = Ports(clock=SystemClock(), storage=self.spm, registry=default_registry())
        self.wakeup = Wakeup()
        self.engine = Engine(self.ports, self.store, self.cache, wake=self.wakeup.set)
        self.read_model = ReadModel(self.database, self.store)
        self.read_model.create()
        self.loop = self.new_loop(poll_interval)
        self.disks: dict[str, list[str]] = {}
        """Each VM's disk ids, as AddVm returned them."""
        self.pool = self._add_pool()

    def new_loop(self, poll_interval: float) -> EngineLoop:
        follower = Follower(self.store, self.read_model, self.cache)
        return EngineLoop(self.ports, self.store, self.cache, follower, poll_interval=poll_interval)

    def runtime(self, poll_interval: float) -> Runtime:
        """This engine as ``serve`` sees it (the storage must be a ``SimulatedSpm``)."""
        assert isinstance(self.spm, SimulatedSpm)
        return Runtime(
            Settings(db=self.url, poll_interval=poll_interval),
            self.store,
            self.database,
            self.cache,
            self.read_model,
            self.spm,
            self.ports,
            self.engine,
            self.wakeup,
            deque(maxlen=100),
        )

    def close(self) -> None:
        """Closes every pooled connection, so nothing this engine held outlives it."""
        self.database.dispose()

    def _add_pool(self) -> str:
        made = self.engine.run_action("AddEmptyStoragePool", {"name": "bench"}, user="bench")
        self.drive()
        return str(made.action_return_value["storage_pool_id"])

    def vms(self, count: int, disks: int = 3) -> list[str]:
        """``count`` new VMs with ``disks`` disks each, made by AddVm (so they have history)."""
        made = []
        for number in range(count):
            params = {"name": f"vm{number}", "disks": disks, "storage_pool_id": self.pool}
            returned = self.engine.run_action("AddVm", params, user="bench")
            assert returned.valid, returned.validation_messages
            made.append(returned.action_return_value)
        self.drive()
        for value in made:
            self.disks[value["vm_id"]] = list(value["disk_ids"])
        return [value["vm_id"] for value in made]

    def submit(self, vm_ids: list[str]) -> list[UUID]:
        """RemoveVm of each VM validated and recorded (the engine loop executes them)."""
        roots = []
        for vm_id in vm_ids:
            returned = self.engine.run_action("RemoveVm", {"vm_id": vm_id}, user="bench")
            assert returned.valid, returned.validation_messages
            assert returned.command_id is not None
            roots.append(returned.command_id)
        return roots

    def drive(self) -> int:
        """Engine rounds until nothing is in flight; returns how many."""
        return self.loop.run_until_idle(max_steps=100_000)

    def remove(self, vm_ids: list[str]) -> list[UUID]:
        """All of them in flight at once, then driven until every one has ended."""
        roots = self.submit(vm_ids)
        self.drive()
        return roots

    def remove_one_by_one(self, vm_ids: list[str]) -> list[UUID]:
        """Each RemoveVm driven to its end before the next is submitted."""
        return [root for vm_id in vm_ids for root in self.remove([vm_id])]
