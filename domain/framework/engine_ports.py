"""What the command framework is given from outside: the store, the storage, a clock, listeners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.clock import Clock
from domain.events import Cause, EventMeta
from domain.ports import StoragePort
from domain.state_machine import StateMachineAggregate
from domain.store import EventStore


class EngineNotice(BaseModel):
    """A domain event fired to listeners after the fact is stored (oVirt's VmDeleted, …)."""

    model_config = ConfigDict(frozen=True)

    name: str
    entity_id: UUID
    command_id: UUID


def _ignore(_: EngineNotice) -> None:
    return None


@dataclass(frozen=True)
class EngineSettings:
    """Timings of the storage-task side, in seconds (oVirt's defaults are far longer)."""

    unknown_task_limit: float = 60.0
    """A task the SPM keeps not reporting this long ends as failed (UnknownTaskPrePollingLapse)."""
    zombie_task_limit: float = 3000 * 60.0
    """A task still running this long is stopped and ended (AsyncTaskZombieTaskLifeInMinutes)."""
    end_action_max_retries: int = 5
    """End methods that throw are retried this often, then the command fails (BZ 1451413)."""


@dataclass(frozen=True)
class EnginePorts:
    store: EventStore
    storage: StoragePort
    clock: Clock
    notify: Callable[[EngineNotice], None] = _ignore
    settings: EngineSettings = field(default_factory=EngineSettings)

    def cause_for(self, aggregate: StateMachineAggregate, command_id: UUID | None = None) -> Cause:
        """Events the engine records later keep the user and correlation id of the request."""
        meta: EventMeta = aggregate.origin_meta
        return Cause(self.clock, meta.model_copy(update={"causation_id": command_id}))
