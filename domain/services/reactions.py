"""Which events make which work due: the engine's reactions, as a table by event class.

Every reaction is an idempotent look at one aggregate's current state (execute a command that
has not run, advance a command whose children or tasks may have ended, clear the tasks of an
ended command, submit a recorded task), so seeing an event twice, or after another engine
acted on it, does no harm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.services.callbacks import poll_callback
from tasktrail.domain.services.ending import runs_own_end
from tasktrail.domain.services.task_tracking import end_task_command

if TYPE_CHECKING:
    from tasktrail.domain.services.ports import Ports, UnitOfWork


Ids = dict[UUID, None]
"""Ids in the order they became due (a dict is an ordered set)."""


@dataclass
class Due:
    """Work made due by events, by kind, oldest first; each holds aggregate ids."""

    execute: Ids = field(default_factory=dict)
    """Validated root commands to execute."""
    advance: Ids = field(default_factory=dict)
    """Commands that may settle or end now (executed, children or tasks ended)."""
    ended: Ids = field(default_factory=dict)
    """Commands that ended: their parent may advance, their tasks be cleared."""
    tasks_ended: Ids = field(default_factory=dict)
    """Tasks that ended: their command may advance."""
    submit: Ids = field(default_factory=dict)
    """Tasks recorded Initializing, to hand to the storage once saved."""
    clear: Ids = field(default_factory=dict)
    """Tasks of ended commands, to clear on the storage once the end is saved."""

    def observe(self, event: StateMachineAggregate.Event) -> None:
        rule = _RULES.get(type(event))
        if rule is not None:
            rule(self, event)

    def add(self, kind: str, *ids: UUID) -> None:
        getattr(self, kind).update(dict.fromkeys(ids))

    def __bool__(self) -> bool:
        return bool(self.execute or self.advance or self.ended or self.tasks_ended)


def _on_created(due: Due, event: Any) -> None:
    if event.parent_command_id is None:
        due.add("execute", event.originator_id)


def _on_refused(due: Due, event: Any) -> None:
    due.execute.pop(event.originator_id, None)


def _add(kind: str) -> Callable[[Due, Any], None]:
    def rule(due: Due, event: Any) -> None:
        due.add(kind, event.originator_id)

    return rule


_RULES: dict[type[Any], Callable[[Due, Any], None]] = {
    Command.Created: _on_created,
    Command.ValidationFailed: _on_refused,
    Command.Executed: _add("advance"),
    Command.ExecutionFailed: _add("advance"),
    Command.Succeeded: _add("advance"),
    Command.Failed: _add("advance"),
    Command.EndAttemptFailed: _add("advance"),
    Command.EndedSuccessfully: _add("ended"),
    Command.EndedWithFailure: _add("ended"),
    Command.EndedSynchronously: _add("ended"),
    Command.MarkedUnknown: _add("ended"),
    AsyncTask.Created: _add("submit"),
    AsyncTask.Ended: _add("tasks_ended"),
    AsyncTask.Repolled: _add("tasks_ended"),
}


FollowUps = list[tuple[str, UUID]]


def advance(ports: Ports, uow: UnitOfWork, command_id: UUID) -> FollowUps:
    """Whatever a command can do next: settle by its children or tasks, and end.

    A child whose end is its parent's (PARENT_MANAGED) only settles; its parent is then due.
    """
    command = uow.get(Command, command_id)
    if command.state.is_ended:
        return []
    handler = ports.registry.handler_for(command)
    if handler.has_callback:
        poll_callback(ports, uow, command_id)
    elif handler.storage_tasks:
        end_task_command(ports, uow, command_id)
    settled = command.state in (CommandStatus.SUCCEEDED, CommandStatus.FAILED)
    if settled and command.parent_command_id is not None and not runs_own_end(ports, command):
        return [("advance", command.parent_command_id)]
    return []


def parent_of(uow: UnitOfWork, command_id: UUID) -> UUID | None:
    return uow.get(Command, command_id).parent_command_id


def command_of_task(uow: UnitOfWork, task_id: UUID) -> UUID:
    return uow.get(AsyncTask, task_id).command_id
