"""Error types of the domain; each message says what, which id, and why."""

from __future__ import annotations

from uuid import UUID


class TasktrailError(Exception):
    """Base of every error tasktrail raises on purpose."""


class IllegalTransitionError(TasktrailError):
    """A trigger the aggregate's transition table does not allow from its current state."""

    def __init__(self, aggregate_type: str, aggregate_id: UUID, state: str, trigger: str) -> None:
        self.aggregate_type = aggregate_type
        self.aggregate_id = aggregate_id
        self.state = state
        self.trigger = trigger
        super().__init__(
            f"{aggregate_type} {aggregate_id} is {state}: trigger {trigger!r} is not allowed"
        )


class RetryableError(TasktrailError):
    """Nothing was decided: a race was lost or a back-end did not answer; try again later.

    Services never record these as a command's failure; they let them through to the runner.
    """


class UnavailableError(RetryableError):
    """The store or the storage could not be reached, or failed mid-way; nothing was stored."""


class ConcurrencyError(RetryableError):
    """Another writer appended to one of the aggregates first; reload and decide again."""

    def __init__(self, aggregate_ids: list[UUID]) -> None:
        self.aggregate_ids = aggregate_ids
        ids = ", ".join(str(i) for i in aggregate_ids)
        super().__init__(f"concurrent write to aggregate(s) {ids}: nothing of this save was stored")


class AggregateNotFoundError(TasktrailError):
    """No events are stored for the id asked for."""

    def __init__(self, aggregate_id: UUID, aggregate_type: str = "aggregate") -> None:
        self.aggregate_id = aggregate_id
        super().__init__(f"{aggregate_type} {aggregate_id} not found")


class WrongAggregateTypeError(TasktrailError):
    """An id that names an aggregate of another type than the caller expected."""

    def __init__(self, aggregate_id: UUID, expected: str, actual: str) -> None:
        super().__init__(f"{aggregate_id} is a {actual}, not a {expected}")
