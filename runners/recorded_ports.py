"""Ports answered from a recorded run: the storage as the SPM answered then, and its clock.

A what-if replay must give the current code exactly the inputs the recorded run had, and
nothing else: a storage call the recording holds no answer for raises ``NoRecordedAnswer``,
which no service catches (it is not an ``Exception``), so the replay stops there and says so
rather than guessing. Tasks are matched by what they are about (entity and task type), since
a replayed command has ids of its own; each poll of a task gives the next thing the recorded
polls saw of it, and the last one again after that (a finished task stays finished).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.services.execution import StorageRefusedError
from tasktrail.domain.services.messages import Msg
from tasktrail.domain.services.ports import StorageError, TaskReport
from tasktrail.projections.changes import aggregate_type, event_type

Event = StateMachineAggregate.Event
MISSING = "the SPM does not report the task"
"""What task_tracking records for a task absent from the SPM's answer."""
_REFUSED = f"{Msg.STORAGE_REFUSED}: "
_REFUSED_IN_EXECUTE = f"{StorageRefusedError.__name__}: "


class NoRecordedAnswer(BaseException):
    """The replayed code asked for an input the recording does not hold."""


@dataclass
class RecordedTask:
    """What the SPM answered about one recorded task."""

    accepted: bool | None = None
    """True: submitted; False: refused; None: the recording never says."""
    refusal: str = ""
    polls: list[TaskReport | None] = field(default_factory=list)
    """Each change the polls saw, in order; None: the SPM did not report the task."""
    clear_failures: list[str] = field(default_factory=list)
    cleared: bool = False
    stopped: bool = False


def _task_events(task: RecordedTask, e: Event) -> None:
    name = event_type(e)
    error = getattr(e, "error", None) or ""
    if name == "PollingStarted":
        task.accepted = True
    elif name == "Ended" and error.startswith(_REFUSED):
        task.accepted, task.refusal = False, error.removeprefix(_REFUSED)
    elif name in ("StatusPolled", "Ended"):
        status, result = getattr(e, "status", None), getattr(e, "result", None)
        report = TaskReport(status=status, result=result, message=error)
        task.polls.append(None if error == MISSING else report)
        task.stopped = task.stopped or bool(getattr(e, "zombie", False))
    elif name == "ClearFailed":
        task.clear_failures.append(error)
    elif name == "Cleared":
        task.cleared = True


class RecordedSpm:
    """A StoragePort that answers each verb as the recorded run's SPM did."""

    def __init__(self, events: list[Event]) -> None:
        self._recorded: dict[tuple[UUID, str], list[RecordedTask]] = defaultdict(list)
        self._refusals: dict[UUID, str] = {}
        self._live: dict[str, tuple[UUID, RecordedTask]] = {}
        self._asked: dict[str, int] = defaultdict(int)
        self._clears: dict[str, int] = defaultdict(int)
        self._read(events)

    def _read(self, events: list[Event]) -> None:
        tasks: dict[UUID, RecordedTask] = {}
        for e in events:
            if aggregate_type(e) == "AsyncTask":
                if e.originator_version == 1:
                    task = tasks[e.originator_id] = RecordedTask()
                    key = (
                        UUID(str(getattr(e, "entity_id", None))),
                        str(getattr(e, "task_type", None)),
                    )
                    self._recorded[key].append(task)
                elif e.originator_id in tasks:
                    _task_events(tasks[e.originator_id], e)
            elif aggregate_type(e) == "Command" and event_type(e) == "ExecutionFailed":
                self._refused_in_execute(e)

    def _refused_in_execute(self, e: Event) -> None:
        """A refusal inside execute leaves no task, only the command's messages."""
        for message in getattr(e, "messages", ()):
            if message.startswith(_REFUSED_IN_EXECUTE):
                entity = _named_entity(message)
                if entity is not None:
                    self._refusals[entity] = message.removeprefix(_REFUSED_IN_EXECUTE)

    def create_task(
        self, storage_pool_id: UUID, task_id: str, task_type: AsyncTaskType, entity_id: UUID
    ) -> None:
        if task_id in self._live:
            return
        queue = self._recorded.get((entity_id, str(task_type)), [])
        if not queue:
            if entity_id in self._refusals:
                raise StorageError(self._refusals[entity_id])
            raise NoRecordedAnswer(f"no recorded answer for submitting {task_type} on {entity_id}")
        task = queue[0]
        if task.accepted is None:
            raise NoRecordedAnswer(f"no recorded answer for submitting {task_type} on {entity_id}")
        if not task.accepted:
            raise StorageError(task.refusal)
        queue.pop(0)
        self._live[task_id] = (storage_pool_id, task)

    def get_all_task_statuses(self, storage_pool_id: UUID) -> dict[str, TaskReport]:
        answer = {}
        for task_id, (pool, task) in self._live.items():
            if pool != storage_pool_id:
                continue
            report = self._next_poll(task_id, task)
            if report is not None:
                answer[task_id] = report
        return answer

    def _next_poll(self, task_id: str, task: RecordedTask) -> TaskReport | None:
        if not task.polls:
            return TaskReport(status=AsyncTaskStatus.RUNNING, result=AsyncTaskResult.UNKNOWN)
        seen = self._asked[task_id]
        self._asked[task_id] += 1
        return task.polls[min(seen, len(task.polls) - 1)]

    def clear_task(self, storage_pool_id: UUID, task_id: str) -> None:
        task = self._task(task_id, "clearing")
        attempt = self._clears[task_id]
        self._clears[task_id] += 1
        if attempt < len(task.clear_failures):
            raise StorageError(task.clear_failures[attempt])
        if not task.cleared:
            raise NoRecordedAnswer(f"no recorded answer for clearing task {task_id}")

    def stop_task(self, storage_pool_id: UUID, task_id: str) -> None:
        if not self._task(task_id, "stopping").stopped:
            raise NoRecordedAnswer(f"no recorded answer for stopping task {task_id}")

    def _task(self, task_id: str, verb: str) -> RecordedTask:
        if task_id not in self._live:
            raise NoRecordedAnswer(f"no recorded answer for {verb} task {task_id}")
        return self._live[task_id][1]


def _named_entity(message: str) -> UUID | None:
    for word in message.replace(":", " ").split():
        try:
            return UUID(word)
        except ValueError:
            continue
    return None


class RecordedClock:
    """The recorded run's time: at each point of the replay, the time the recording had
    reached after as many events (its first event's time before any)."""

    def __init__(self, events: list[Event]) -> None:
        self._times = [e.timestamp for e in events] or [datetime.fromtimestamp(0).astimezone()]
        self.done = 0

    def now(self) -> datetime:
        return self._times[min(self.done, len(self._times) - 1)]
