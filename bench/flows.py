"""Drives RemoveVm flows in-process for the workloads, counting the store transactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.clock import SystemClock
from domain.framework.engine import Engine
from domain.framework.engine_ports import EnginePorts
from domain.ports import StoragePort
from domain.store import EventStore
from runners.database import open_event_store
from runners.engine_loop import EngineLoop
from tests.fakes import FakeSpm


class CountingStore:
    """Records how many events each transaction of ``store`` carried."""

    def __init__(self, store: EventStore) -> None:
        self.saves: list[int] = []
        original = store.save_all

        def counted(*aggregates: Any) -> int:
            count = sum(len(a.pending_events) for a in aggregates if a is not None)
            position = original(*aggregates)
            if count:
                self.saves.append(count)
            return position

        store.save_all = counted  # type: ignore[method-assign]


class Flows:
    def __init__(
        self, url: str, storage_factory: Callable[[EventStore], StoragePort] | None = None
    ) -> None:
        self.store = open_event_store(url)
        self.counting = CountingStore(self.store)
        self.spm = storage_factory(self.store) if storage_factory else FakeSpm()
        self.engine = Engine(EnginePorts(store=self.store, storage=self.spm, clock=SystemClock()))
        self.loop = EngineLoop(self.engine)
        made = self.engine.run_action("AddEmptyStoragePool", {"name": "bench"}, user="bench")
        self.pool = made.action_return_value["storage_pool_id"]

    def vms(self, count: int, disks: int = 3) -> list[str]:
        return [
            self.engine.run_action(
                "AddVm",
                {"name": f"vm{i}", "disks": disks, "storage_pool_id": self.pool},
                user="bench",
            ).action_return_value["vm_id"]
            for i in range(count)
        ]

    def remove(self, vm_ids: list[str]) -> list[UUID]:
        roots = []
        for vm_id in vm_ids:
            returned = self.engine.run_action("RemoveVm", {"vm_id": vm_id}, user="bench")
            assert returned.command_id is not None
            roots.append(returned.command_id)
        self.loop.run_until_idle(max_steps=100_000)
        return roots
