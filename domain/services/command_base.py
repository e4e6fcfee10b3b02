"""CommandBase: the shape of every action (validate, execute, end), without oVirt's 2,000 lines."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.events import AuditNote, Subject
from tasktrail.domain.services.locks import LockRequest

if TYPE_CHECKING:
    from tasktrail.domain.model.command.aggregate import Command
    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.services.execution import Execution
    from tasktrail.domain.services.ports import Lookups, UnitOfWork


class EndProcedure(Enum):
    """Who runs a child command's end action (oVirt's ActionParametersBase.EndProcedure)."""

    PARENT_MANAGED = "PARENT_MANAGED"
    """Its parent's end action ends it; its callback only settles it."""
    COMMAND_MANAGED = "COMMAND_MANAGED"
    """It runs its own end action; its parent waits until it has."""


class LockScope(Enum):
    """How long a command keeps its locks (oVirt's LockProperties.Scope)."""

    EXECUTION = "Execution"
    """Freed when execute ends (RemoveVm frees its VM lock right after transaction 1)."""
    COMMAND = "Command"
    """Kept until the command's end action."""


class Phase(Enum):
    """When oVirt asks a command for its audit log type (CommandActionState)."""

    EXECUTE = "EXECUTE"
    END_SUCCESS = "END_SUCCESS"
    END_FAILURE = "END_FAILURE"


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

    ``execute`` runs inside one unit of work: what it changes is saved together with the
    command's execution, or not at all.
    """

    action_type: ClassVar[StrEnum]
    parameters_class: ClassVar[type[ActionParameters]]
    has_callback: ClassVar[bool] = False
    """Its end is driven by the callback runner once its children have ended."""
    storage_tasks: ClassVar[int] = 0
    """How many storage tasks execute starts; their end drives the command's end."""
    finalizing_step: ClassVar[bool] = False
    """Whether its end action is shown as a FINALIZING step (roots always are)."""
    internal: ClassVar[bool] = False
    """Run only by a parent command (oVirt's runInternalAction), never by a user."""
    monitored: ClassVar[bool] = True
    """Run by a user, it gets a job (oVirt's ActionType.isActionMonitored)."""
    action_vars: ClassVar[tuple[str, ...]] = ()
    """The VAR__ACTION__* and VAR__TYPE__* words its refusals begin with."""
    end_procedure: ClassVar[EndProcedure] = EndProcedure.PARENT_MANAGED
    lock_scope: ClassVar[LockScope] = LockScope.EXECUTION
    lock_wait: ClassVar[float | None] = None
    """Seconds to wait for locks held by other commands (``math.inf``: forever, oVirt's
    WAIT_FOREVER); None refuses at once (NO_WAIT, most commands' and RemoveVm's)."""

    def __init__(self, params: P) -> None:
        self.params = params

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | ActionParameters) -> P:
        if isinstance(raw, cls.parameters_class):
            return raw  # type: ignore[return-value]
        data = raw.model_dump() if isinstance(raw, BaseModel) else raw
        try:
            return cls.parameters_class.model_validate(data)  # type: ignore[return-value]
        except ValidationError as error:
            raise InvalidParametersError(str(cls.action_type), error) from None

    def description(self, uow: UnitOfWork) -> str:
        """The job's description (oVirt's ExecutionMessages ``job.<ActionType>``)."""
        return str(self.action_type)

    def subjects(self, uow: UnitOfWork) -> list[Subject]:
        """What the job is about (oVirt's permission check subjects)."""
        return []

    def audit(
        self, uow: UnitOfWork, phase: Phase, succeeded: bool, result: Any = None
    ) -> AuditNote | None:
        """The audit log entry of a phase (oVirt's getAuditLogTypeValue); None writes none.

        ``result`` is what execute returned (in the EXECUTE phase).
        """
        return None

    def caused_by(self) -> UUID | None:
        """The command this request follows from (a redrive's failed command), recorded as
        the cause of the new command's creation; None for a request of its own."""
        return None

    def planned_result(self) -> Any:
        """What the action will have made, known from its parameters (AddVm: the new ids)."""
        return None

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        """Read-only checks; the messages refuse the command. Locks are checked before these."""
        return []

    def lock_requests(self) -> list[LockRequest]:
        """The locks the command asks for (oVirt's getExclusiveLocks and getSharedLocks)."""
        return []

    def locks(self) -> list[LockRequest]:
        """The locks it takes: a command that waits for its locks takes only the exclusive
        ones, as oVirt's buildLockFromExclusives drops the shared ones.
        """
        if self.lock_wait is None:
            return self.lock_requests()
        return [r for r in self.lock_requests() if r.exclusive]

    def execute(self, run: Execution) -> Any:
        """The work; returns the action's own result (ActionReturnValue.action_return_value)."""
        raise NotImplementedError

    def end_successfully(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        """oVirt's endSuccessfully; domain events for listeners go to ``uow.announce``."""

    def end_with_failure(self, uow: UnitOfWork, command: Command, cause: Cause) -> None:
        """oVirt's endWithFailure."""


class UnknownActionError(TasktrailError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown action {name!r}: known actions are {', '.join(known)}")


class ActionRegistry:
    """oVirt's CommandsFactory as a table: each action's name and the class that runs it."""

    def __init__(self, classes: Mapping[StrEnum, type[CommandBase[Any]]]) -> None:
        self._classes = {str(action): cls for action, cls in classes.items()}
        self._by_member = {action.name: str(action) for action in classes}

    def command_class(self, action_type: StrEnum | str) -> type[CommandBase[Any]]:
        """Accepts the enum, oVirt's name ("RemoveVm") or the member name ("REMOVE_VM")."""
        name = self._by_member.get(str(action_type), str(action_type))
        try:
            return self._classes[name]
        except KeyError:
            raise UnknownActionError(str(action_type), list(self._classes)) from None

    def handler_for(self, command: Command) -> CommandBase[Any]:
        """The command class of a stored command, with its parameters parsed again."""
        cls = self.command_class(command.action_type)
        return cls(cls.parse(command.parameters))

    def public(self) -> list[str]:
        """The actions a user may run (internal ones run only under a parent)."""
        return [name for name, cls in self._classes.items() if not cls.internal]
