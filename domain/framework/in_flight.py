"""What is still in flight, folded from events: the runners' memory, rebuilt by replay.

Callback commands not yet ended, root commands waiting to execute, and storage tasks not yet
cleared, grouped by storage pool so that the SPM is asked once per pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from domain.async_task.aggregate import AsyncTask
from domain.async_task.machine import AsyncTaskState
from domain.command.aggregate import Command
from domain.command.machine import CommandStatus
from domain.state_machine import Transitioned


@dataclass
class CommandInFlight:
    action_type: str
    parent_id: UUID | None
    root_id: UUID
    has_callback: bool
    state: CommandStatus
    executed: bool = False


@dataclass
class TaskInFlight:
    command_id: UUID
    storage_pool_id: UUID
    state: AsyncTaskState


@dataclass
class InFlight:
    commands: dict[UUID, CommandInFlight] = field(default_factory=dict)
    tasks: dict[UUID, TaskInFlight] = field(default_factory=dict)
    parents_due: set[UUID] = field(default_factory=set)
    """Callback commands to evaluate at once: a child of theirs has just ended."""

    def observe(self, event: Transitioned) -> None:
        if isinstance(event, Command.Created):
            self.commands[event.originator_id] = CommandInFlight(
                event.action_type,
                event.parent_command_id,
                event.root_command_id or event.originator_id,
                event.has_callback,
                CommandStatus.NOT_STARTED,
            )
        elif isinstance(event, AsyncTask.Created):
            self.tasks[event.originator_id] = TaskInFlight(
                event.command_id, event.storage_pool_id, AsyncTaskState.INITIALIZING
            )
        self._move(event)

    def _move(self, event: Transitioned) -> None:
        command = self.commands.get(event.originator_id)
        if command is not None:
            self._move_command(event, command)
        task = self.tasks.get(event.originator_id)
        if task is not None:
            task.state = AsyncTaskState(event.to_state)
            if task.state is AsyncTaskState.CLEARED:
                del self.tasks[event.originator_id]

    def _move_command(self, event: Transitioned, command: CommandInFlight) -> None:
        command.state = CommandStatus(event.to_state)
        command.executed = command.executed or isinstance(event, Command.Executed)
        if isinstance(event, Command.Executed) and command.has_callback:
            self.parents_due.add(event.originator_id)
        if (
            command.state
            in (CommandStatus.SUCCEEDED, CommandStatus.FAILED, CommandStatus.EXECUTION_FAILED)
            and command.has_callback
        ):
            self.parents_due.add(event.originator_id)
        if command.state.is_ended:
            del self.commands[event.originator_id]
            self.parents_due.discard(event.originator_id)
            if command.parent_id is not None:
                self.parents_due.add(command.parent_id)

    def to_execute(self) -> list[UUID]:
        """Validated roots not yet begun, and any command whose execute never finished.

        A child is normally executed by its parent's execute; one left unexecuted under a
        parent that already executed (a crash, a lost race) is executed on its own.
        """
        return [
            cid
            for cid, c in self.commands.items()
            if not c.executed
            and c.state in (CommandStatus.NOT_STARTED, CommandStatus.ACTIVE)
            and (c.parent_id is None or self._executed(c.parent_id))
        ]

    def _executed(self, command_id: UUID) -> bool:
        parent = self.commands.get(command_id)
        return parent is None or parent.executed

    def callback_commands(self) -> list[UUID]:
        return [cid for cid, c in self.commands.items() if c.has_callback]

    def tasks_by_pool(self) -> dict[UUID, list[UUID]]:
        pools: dict[UUID, list[UUID]] = {}
        for task_id, task in self.tasks.items():
            if task.state is not AsyncTaskState.INITIALIZING:
                pools.setdefault(task.storage_pool_id, []).append(task_id)
        return pools

    @property
    def idle(self) -> bool:
        return not self.commands and not self.tasks
