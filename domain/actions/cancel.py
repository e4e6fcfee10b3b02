"""Cancel: an operator stops a running command tree (domain.services.cancel), audited.

It is a command of its own, so the request is recorded with its user and correlation id and
names the command it stops; it ends as soon as the stops are asked for. The stopped tree
then fails the usual way as the SPM reports its tasks ended.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.services import cancel
from tasktrail.domain.services.command_base import ActionParameters, CommandBase
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.ports import Lookups, UnitOfWork


class CancelParameters(ActionParameters):
    command_id: UUID
    """The command to stop (any command of its tree)."""


class CancelCommand(CommandBase[CancelParameters]):
    action_type = ActionType.CANCEL
    parameters_class = CancelParameters
    monitored = False

    def caused_by(self) -> UUID | None:
        return self.params.command_id

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        try:
            cancel.running_root(uow, self.params.command_id)
        except cancel.CancelError as error:
            return [f"ACTION_TYPE_FAILED_NOTHING_TO_CANCEL: {error}"]
        return []

    def execute(self, run: Execution) -> Any:
        return cancel.cancel(run.ports, run.uow, run.cause, self.params.command_id)
