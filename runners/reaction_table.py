"""The kinds of due work an engine round decides, and the reaction that decides each kind.

A round takes its due work kind by kind (``KINDS``); what touches the storage (``EFFECTS``)
waits until the round that made it due is saved. Each reaction decides one item in the round's
unit of work and may return follow-ups: more work due in the same round.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.services import reactions, task_tracking
from tasktrail.domain.services.execution import execute
from tasktrail.domain.services.ports import Ports, UnitOfWork

KINDS = ("execute", "tasks_ended", "advance", "ended")
"""The kinds of due work decided in a round, in the order a round takes them."""
EFFECTS = ("submit", "clear")
"""Work on the storage side that must wait until the round that made it due is saved."""

FollowUps = list[tuple[str, UUID]]
Reaction = Callable[[Ports, UnitOfWork, UUID], object]


def _ended(ports: Ports, uow: UnitOfWork, command_id: UUID) -> FollowUps:
    """A command ended: its parent may advance, and its storage tasks are to be cleared.

    Clearing waits until the end is saved: a task the SPM forgot before its outcome was
    stored would leave a restarted engine with nothing to learn the outcome from.
    """
    tasks = task_tracking.recorded_tasks(ports, uow, uow.get(Command, command_id))
    parent = reactions.parent_of(uow, command_id)
    advance = [] if parent is None else [("advance", parent)]
    return advance + [("clear", task.id) for task in tasks]


def _task_ended(ports: Ports, uow: UnitOfWork, task_id: UUID) -> FollowUps:
    """A task ended: its command may advance; a task outliving its command is cleared."""
    command_id = reactions.command_of_task(uow, task_id)
    if uow.get(Command, command_id).state.is_ended:
        return [("clear", task_id)]
    return [("advance", command_id)]


REACTIONS: dict[str, Reaction] = {
    "execute": execute,
    "advance": reactions.advance,
    "ended": _ended,
    "tasks_ended": _task_ended,
    "submit": task_tracking.submit,
    "clear": task_tracking.clear,
}
