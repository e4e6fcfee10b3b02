"""A small world for flow tests: an engine on a database, a fake SPM, a pool and VMs."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.clock import ManualClock
from domain.command.aggregate import Command
from domain.framework.engine import Engine
from domain.framework.engine_ports import EngineNotice, EnginePorts
from domain.framework.return_value import ActionReturnValue
from domain.ports import StoragePort
from domain.state_machine import Transitioned
from domain.store import EventStore
from runners.database import open_event_store
from runners.engine_loop import EngineLoop
from tests.fakes import FakeSpm


class Scenario:
    def __init__(
        self,
        url: str,
        storage_factory: Callable[[EventStore], StoragePort] | None = None,
        clock: ManualClock | None = None,
    ) -> None:
        self.store = open_event_store(url)
        self.spm = storage_factory(self.store) if storage_factory else FakeSpm()
        self.clock = clock or ManualClock()
        self.notices: list[EngineNotice] = []
        self.engine = Engine(
            EnginePorts(
                store=self.store, storage=self.spm, clock=self.clock, notify=self.notices.append
            )
        )
        self.loop = EngineLoop(self.engine)

    def add_pool(self, name: str = "dc1") -> UUID:
        returned = self.engine.run_action("AddEmptyStoragePool", {"name": name}, user="admin")
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
        made = returned.action_return_value
        return UUID(made["vm_id"]), [UUID(d) for d in made["disk_ids"]]

    def remove_vm(self, vm_id: UUID, **params: object) -> ActionReturnValue:
        return self.engine.run_action(
            "RemoveVm", {"vm_id": str(vm_id), **params}, user="admin", correlation_id="corr-rm"
        )

    def drive(self) -> int:
        return self.loop.run_until_idle()

    @property
    def position(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    def events_since(self, position: int) -> list[Transitioned]:
        notifications = self.store.recorder.select_notifications(position + 1, 100_000)
        return [self.store.mapper.to_domain_event(n) for n in notifications]  # type: ignore[misc]

    def events_of(self, aggregate_id: UUID) -> list[Transitioned]:
        return list(self.store.events.get(aggregate_id))  # type: ignore[arg-type]

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
        return self.store.load(Command, command_id)

    def family(self, root_id: UUID) -> list[Command]:
        """The root command and all its descendants, parents first."""
        found, queue = [], [root_id]
        while queue:
            command = self.command(queue.pop(0))
            found.append(command)
            queue.extend(command.child_ids)
        return found
