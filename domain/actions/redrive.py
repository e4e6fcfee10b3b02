"""Redrive: a failed command tree's undone leaves run again as this command's children.

Its request names the failed command (its parameters, and the cause its events record), so
the history of either command leads to the other. It waits for its children as RemoveVm does
(callback), and its job shows each one's steps (RemoveImage's DELETE_IMAGE).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Subject
from tasktrail.domain.services import redrive
from tasktrail.domain.services.command_base import ActionParameters, CommandBase, LockScope
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.locks import LockRequest
from tasktrail.domain.services.ports import Lookups, UnitOfWork


class RedriveParameters(ActionParameters):
    command_id: UUID
    """The failed command (any command of its tree)."""


class RedriveCommand(CommandBase[RedriveParameters]):
    action_type = ActionType.REDRIVE
    parameters_class = RedriveParameters
    has_callback = True
    lock_scope = LockScope.COMMAND

    def caused_by(self) -> UUID | None:
        return self.params.command_id

    def description(self, uow: UnitOfWork) -> str:
        return f"Redriving command {self.params.command_id}"

    def subjects(self, uow: UnitOfWork) -> list[Subject]:
        return [
            Subject(entity_id=UUID(str(leaf.parameters["disk_id"])), entity_type="Disk")
            for leaf in self._leaves(uow)
            if "disk_id" in leaf.parameters
        ]

    def lock_requests(self) -> list[LockRequest]:
        """Two redrives of one tree never run at once."""
        return [LockRequest(redrive.LOCK_GROUP, self.params.command_id)]

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        try:
            redrive.undone(uow, self.params.command_id)
        except redrive.RedriveError as error:
            return [f"ACTION_TYPE_FAILED_NOTHING_TO_REDRIVE: {error}"]
        return []

    def execute(self, run: Execution) -> Any:
        leaves = redrive.undone(run.uow, self.params.command_id, redriving=True)
        registry = run.ports.registry
        children = [
            (ActionType(leaf.action_type), registry.handler_for(leaf).params) for leaf in leaves
        ]
        run.run_children(children)
        return {"redriven": [str(leaf.id) for leaf in leaves]}

    def _leaves(self, uow: UnitOfWork) -> list[Command]:
        try:
            return redrive.undone(uow, self.params.command_id)
        except redrive.RedriveError:
            return []
