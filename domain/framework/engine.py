"""The engine's entry points (oVirt's Backend): run an action, run many, execute a command.

``run_action`` validates in the caller and returns at once; execution happens wherever
``submit`` sends the command id (a thread pool in ``serve``, inline in tests). ``execute`` is
resumable: called again after a crash on the same command, it carries on where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from uuid import UUID, uuid4

from domain.actions.action_type import ActionType
from domain.actions.registry import ActionRegistry
from domain.command.aggregate import Command
from domain.command.machine import CommandStatus
from domain.errors import ConcurrencyError
from domain.events import Cause
from domain.framework.command_base import ActionParameters, CommandBase
from domain.framework.engine_ports import EnginePorts
from domain.framework.execution import Execution
from domain.framework.failures import executed, execution_failed
from domain.framework.job_tracking import add_step, end_step
from domain.framework.locks import acquire_all, conflicts, release_all
from domain.framework.return_value import ActionReturnValue
from domain.framework.unit_of_work import UnitOfWork
from domain.job.aggregate import Job
from domain.step.machine import StepEnum

Params = dict[str, Any] | ActionParameters
_LOCK_RACE_ATTEMPTS = 5
_CONFLICT_RETRIES = 10
"""A rival engine can win a lock between our check and our save; we then look again."""
Mapper = Callable[[Callable[[Any], ActionReturnValue], Iterable[Any]], Iterator[ActionReturnValue]]


class Engine:
    def __init__(
        self,
        ports: EnginePorts,
        *,
        registry: ActionRegistry | None = None,
        submit: Callable[[UUID], None] | None = None,
        map_concurrently: Mapper = map,
    ) -> None:
        self.ports = ports
        self.registry = registry or ActionRegistry.default()
        self.submit = submit or self.execute
        self.map_concurrently = map_concurrently

    def handler_for(self, command: Command) -> CommandBase[Any]:
        """The command class of a stored command, with its parameters parsed again."""
        cls = self.registry.command_class(ActionType(command.action_type))
        return cls(cls.parse(command.parameters))

    def run_action(
        self,
        action_type: ActionType | str,
        params: Params,
        *,
        user: str,
        correlation_id: str | None = None,
    ) -> ActionReturnValue:
        """Validates now and returns; a valid command is handed to ``submit``."""
        returned = self.validate_action(
            action_type, params, user=user, correlation_id=correlation_id
        )
        if returned.valid and returned.command_id is not None:
            self.submit(returned.command_id)
        return returned

    def run_multiple_actions(
        self,
        action_type: ActionType | str,
        params_list: list[Params],
        *,
        user: str,
        correlation_id: str | None = None,
        run_only_if_all_valid: bool = False,
    ) -> list[ActionReturnValue]:
        """Validations run concurrently; then the valid commands run (or none, if asked)."""
        cls = self.registry.command_class(action_type)
        parsed = [cls.parse(p) for p in params_list]
        returned = list(
            self.map_concurrently(
                lambda p: self.validate_action(
                    action_type, p, user=user, correlation_id=correlation_id
                ),
                parsed,
            )
        )
        valid = [r for r in returned if r.valid and r.command_id is not None]
        if run_only_if_all_valid and len(valid) < len(returned):
            for r in valid:
                self.abandon(r.command_id)  # type: ignore[arg-type]
            return returned
        for r in valid:
            self.submit(r.command_id)  # type: ignore[arg-type]
        return returned

    def validate_action(
        self,
        action_type: ActionType | str,
        params: Params,
        *,
        user: str,
        correlation_id: str | None = None,
    ) -> ActionReturnValue:
        """Validation and lock acquisition, recorded; nothing executes yet."""
        cls = self.registry.command_class(action_type)
        handler = cls(cls.parse(params))
        cause = Cause.of(
            self.ports.clock, user_id=user, correlation_id=correlation_id or str(uuid4())
        )
        for _ in range(_LOCK_RACE_ATTEMPTS - 1):
            try:
                return self._validate(handler, cause)
            except ConcurrencyError:
                continue
        return self._validate(handler, cause)

    def _validate(self, handler: CommandBase[Any], cause: Cause) -> ActionReturnValue:
        """oVirt's internalValidate order: locks are checked first, then validate()."""
        uow = UnitOfWork(self.ports.store)
        command_id = uuid4()
        locks = handler.lock_requests()
        messages = conflicts(uow, locks) or handler.validate(uow)
        if not messages:
            acquire_all(uow, cause.because_of(command_id), command_id, locks)
        command = Command.create(
            cause,
            id=command_id,
            action_type=handler.action_type.value,
            parameters=handler.params.model_dump(mode="json"),
            job_id=None if messages else uuid4(),
            has_callback=handler.has_callback,
        )
        if messages:
            command.fail_validation(cause, messages)
            self.ports.store.save_all(command)
            return self._returned(command, handler, valid=False)
        uow.add(command)
        uow.commit()
        return self._returned(command, handler, valid=True)

    def _returned(
        self, command: Command, handler: CommandBase[Any], *, valid: bool
    ) -> ActionReturnValue:
        return ActionReturnValue(
            valid=valid,
            action_return_value=handler.planned_result() if valid else None,
            validation_messages=[] if valid else command.messages,
            job_id=command.job_id,
            command_id=command.id,
            correlation_id=command.origin_meta.correlation_id,
        )

    def abandon(self, command_id: UUID) -> None:
        """A validated command that will not run (run_only_if_all_valid): its locks go."""
        uow = UnitOfWork(self.ports.store)
        command = uow.get(Command, command_id)
        cause = self.ports.cause_for(command, command_id)
        command.fail_validation(cause, ["NOT_ALL_COMMANDS_VALID"])
        release_all(uow, cause, command_id, self.handler_for(command).lock_requests())
        uow.commit()

    def execute(self, command_id: UUID) -> None:
        """Begins (job, steps, ACTIVE), executes, and records the outcome; safe to call again.

        Losing an optimistic-concurrency race (another thread or engine saved one of the same
        aggregates first) is not a failure: execute resumes from what is now stored. Should it
        keep losing, it gives up quietly and the engine loop resumes the command later.
        """
        for _ in range(_CONFLICT_RETRIES):
            try:
                self._execute_once(command_id)
            except ConcurrencyError:
                continue
            return

    def _execute_once(self, command_id: UUID) -> None:
        command = self.ports.store.load(Command, command_id)
        handler = self.handler_for(command)
        cause = self.ports.cause_for(command, command_id)
        try:
            if command.state is CommandStatus.NOT_STARTED:
                self._begin(command_id, handler, cause)
            elif command.state is not CommandStatus.ACTIVE or command.executed:
                return
            result = handler.execute(Execution(self, command_id, cause))
        except ConcurrencyError:
            raise
        except Exception as error:  # noqa: BLE001 - recorded on the command, never lost
            execution_failed(self, command_id, error)
            return
        executed(self, command_id, result)

    def _begin(self, command_id: UUID, handler: CommandBase[Any], cause: Cause) -> None:
        """Job STARTED; VALIDATING STARTED -> FINISHED; EXECUTING STARTED; command ACTIVE."""
        uow = UnitOfWork(self.ports.store)
        command = uow.get(Command, command_id)
        step_id = None
        if command.job_id is not None and command.is_root:
            job = Job.start(
                cause,
                id=command.job_id,
                action_type=command.action_type,
                description=handler.description(uow),
            )
            uow.add(job)
            validating = add_step(uow, cause, job, StepEnum.VALIDATING, "Validating")
            end_step(validating, cause, succeeded=True)
            step_id = add_step(uow, cause, job, StepEnum.EXECUTING, "Executing").id
        command.activate(cause, step_id)
        uow.commit()
