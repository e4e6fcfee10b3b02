"""CommandBase: the shape of every action (validate, execute, end), without oVirt's 2,000 lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from domain.actions.action_type import ActionType
from domain.errors import TasktrailError
from domain.framework.engine_ports import EngineNotice
from domain.framework.locks import LockRequest

if TYPE_CHECKING:
    from domain.command.aggregate import Command
    from domain.events import Cause
    from domain.framework.execution import Execution
    from domain.framework.unit_of_work import UnitOfWork


class ActionParameters(BaseModel):
    """Base of each action's parameters; unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InvalidParametersError(TasktrailError):
    """Malformed parameters: the message names each field and what is wrong with it."""

    def __init__(self, action_type: str, error: ValidationError) -> None:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(parameters)'}: {e['msg']}"
            for e in error.errors()
        )
        super().__init__(f"invalid parameters for {action_type}: {problems}")


P = TypeVar("P", bound=ActionParameters)


class CommandBase(Generic[P]):
    """One class per action; the framework calls these hooks in oVirt's order.

    ``execute`` must be resumable: after a crash it runs again on the same command and
    each of its phases checks the aggregates before acting, so nothing is done twice.
    """

    action_type: ClassVar[ActionType]
    parameters_class: ClassVar[type[ActionParameters]]
    has_callback: ClassVar[bool] = False
    """Its end is driven by the callback runner once its children have ended."""
    storage_tasks: ClassVar[int] = 0
    """How many storage tasks execute starts; their end drives the command's end."""
    finalizing_step: ClassVar[bool] = False
    """Whether its end action is shown as a FINALIZING step (roots always are)."""

    def __init__(self, params: P) -> None:
        self.params = params

    @classmethod
    def parse(cls, raw: dict[str, Any] | ActionParameters) -> P:
        if isinstance(raw, cls.parameters_class):
            return raw  # type: ignore[return-value]
        data = raw.model_dump() if isinstance(raw, BaseModel) else raw
        try:
            return cls.parameters_class.model_validate(data)  # type: ignore[return-value]
        except ValidationError as error:
            raise InvalidParametersError(cls.action_type.value, error) from None

    def description(self, uow: UnitOfWork) -> str:
        return self.action_type.value

    def planned_result(self) -> Any:
        """What the action will have made, known from its parameters (AddVm: the new ids)."""
        return None

    def validate(self, uow: UnitOfWork) -> list[str]:
        """Read-only checks; the messages refuse the command. Locks are checked after these."""
        return []

    def lock_requests(self) -> list[LockRequest]:
        return []

    def execute(self, run: Execution) -> Any:
        """The work; returns the action's own result (ActionReturnValue.action_return_value)."""
        raise NotImplementedError

    def end_successfully(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        return []

    def end_with_failure(
        self, uow: UnitOfWork, command: Command, cause: Cause
    ) -> list[EngineNotice]:
        return []
