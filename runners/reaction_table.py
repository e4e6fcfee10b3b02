"""The kinds of due work an engine round decides, and the reaction that decides each kind.

A round takes its due work kind by kind (``KINDS``); what touches the storage (``EFFECTS``)
waits until the round that made it due is saved. Each reaction decides one item in the round's
unit of work and may return follow-ups: more work due in the same round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.services import orphans, reactions, task_tracking
from tasktrail.domain.services.execution import execute
from tasktrail.domain.services.ports import Ports, UnitOfWork

log = logging.getLogger("tasktrail.engine")

KINDS = ("execute", "tasks_ended", "advance", "ended")
"""The kinds of due work decided in a round, in the order a round takes them."""
CHAINS = ("tasks_ended", "advance", "ended")
"""The kinds that carry an end up the tree (a task's to its command's, a child's to its
parent's): decided and saved before a round takes on anything new."""
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
    """A task ended: its command may advance; a task outliving its command is cleared.

    An adopted orphan has no command: it is cleared at once (``orphans``).
    """
    if orphans.is_adopted(uow.get(AsyncTask, task_id)):
        return [("clear", task_id)]
    command_id = reactions.command_of_task(uow, task_id)
    if uow.get(Command, command_id).state.is_ended:
        return [("clear", task_id)]
    return [("advance", command_id)]


def _clear(ports: Ports, uow: UnitOfWork, task_id: UUID) -> bool:
    """SPMClearTask; an adopted orphan's clear is logged, as nothing else records its end."""
    cleared = task_tracking.clear(ports, uow, task_id)
    task = uow.get(AsyncTask, task_id)
    if cleared and orphans.is_adopted(task):
        log.warning(
            "orphan SPM task %s of pool %s ended %s/%s and is cleared (ActionType Unknown: "
            "no command ended)",
            task.vdsm_task_id,
            task.storage_pool_id,
            task.status.value,
            task.result.value,
        )
    return cleared


REACTIONS: dict[str, Reaction] = {
    "execute": execute,
    "advance": reactions.advance,
    "ended": _ended,
    "tasks_ended": _task_ended,
    "submit": task_tracking.submit,
    "clear": _clear,
}
