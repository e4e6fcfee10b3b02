"""The Job aggregate: what an operator watches for one user action (oVirt's job table)."""

from __future__ import annotations

from uuid import UUID

from domain.events import Cause
from domain.job.machine import JOB_TABLE, JobExecutionStatus
from domain.state_machine import Created as BaseCreated
from domain.state_machine import StateMachineAggregate, Transitioned


class Job(StateMachineAggregate):
    """Started by a monitored root command; lists its steps; ends with the root command."""

    TABLE = JOB_TABLE
    state: JobExecutionStatus

    action_type: str
    description: str
    step_ids: list[UUID]
    step_parents: dict[UUID, UUID | None]
    failed_step_id: UUID | None
    reason: str | None

    class Started(BaseCreated):
        action_type: str
        description: str

        def apply(self, aggregate: Job) -> None:
            aggregate.action_type = self.action_type
            aggregate.description = self.description
            aggregate.step_ids = []
            aggregate.step_parents = {}
            aggregate.failed_step_id = None
            aggregate.reason = None

    class StepAdded(Transitioned):
        step_id: UUID
        parent_step_id: UUID | None

        def apply(self, aggregate: Job) -> None:
            aggregate.step_ids = [*aggregate.step_ids, self.step_id]
            aggregate.step_parents = {**aggregate.step_parents, self.step_id: self.parent_step_id}

    class Failed(Transitioned):
        failed_step_id: UUID | None
        reason: str

        def apply(self, aggregate: Job) -> None:
            aggregate.failed_step_id = self.failed_step_id
            aggregate.reason = self.reason

    @classmethod
    def start(
        cls,
        cause: Cause,
        *,
        action_type: str,
        description: str,
        id: UUID | None = None,
    ) -> Job:
        return cls._create(
            cls.Started,
            cause,
            JobExecutionStatus.STARTED,
            id=id,
            action_type=action_type,
            description=description,
        )

    def add_step(self, cause: Cause, step_id: UUID, parent_step_id: UUID | None) -> None:
        self._transition("add_step", cause, step_id=step_id, parent_step_id=parent_step_id)

    def next_step_number(self, parent_step_id: UUID | None) -> int:
        """oVirt numbers steps from 1 among the children of one parent (or of the job)."""
        return 1 + sum(1 for p in self.step_parents.values() if p == parent_step_id)

    def finish(self, cause: Cause) -> None:
        self._transition("finish", cause)

    def fail(self, cause: Cause, *, failed_step_id: UUID | None, reason: str) -> None:
        self._transition("fail", cause, failed_step_id=failed_step_id, reason=reason)

    def abort(self, cause: Cause) -> None:
        self._transition("abort", cause)

    def mark_unknown(self, cause: Cause) -> None:
        self._transition("mark_unknown", cause)
