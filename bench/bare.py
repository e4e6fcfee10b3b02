"""The baseline: the bare eventsourcing library, default aggregate and application, same store."""

from __future__ import annotations

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class BareCommand(Aggregate):
    """A plain eventsourcing aggregate with the four moves of a synchronous command."""

    @event("Created")
    def __init__(self, action_type: str) -> None:
        self.action_type = action_type
        self.status = "NOT_STARTED"

    @event("Activated")
    def activate(self) -> None:
        self.status = "ACTIVE"

    @event("Executed")
    def mark_executed(self) -> None:
        self.executed = True

    @event("Succeeded")
    def succeed(self) -> None:
        self.status = "SUCCEEDED"

    @event("Noted")
    def note(self) -> None:
        self.notes = getattr(self, "notes", 0) + 1


class BareApplication(Application):
    name = "bare"


def bare_application(url: str) -> BareApplication:
    return BareApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": url,
            "CREATE_TABLE": "y",
        }
    )


def append(app: BareApplication, events_per_save: list[int]) -> int:
    """Appends the same number of events in the same number of transactions as tasktrail did."""
    total = 0
    for count in events_per_save:
        aggregate = BareCommand("RemoveVm")
        for _ in range(count - 1):
            aggregate.note()
        app.save(aggregate)
        total += count
    return total
