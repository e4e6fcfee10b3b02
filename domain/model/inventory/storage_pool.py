"""The StoragePool aggregate (oVirt's data center storage pool); its SPM runs storage tasks."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import EventMeta
from tasktrail.domain.model.machine import Row, TransitionTable


class StoragePoolStatus(StrEnum):
    UNINITIALIZED = "Uninitialized"
    UP = "Up"
    MAINTENANCE = "Maintenance"
    NOT_OPERATIONAL = "NotOperational"
    NON_RESPONSIVE = "NonResponsive"


S = StoragePoolStatus

STORAGE_POOL_TABLE = TransitionTable(
    "StoragePool",
    StoragePoolStatus,
    initial=[S.UNINITIALIZED, S.UP],
    rows=[
        Row(
            "activate",
            (S.UNINITIALIZED, S.MAINTENANCE, S.NOT_OPERATIONAL, S.NON_RESPONSIVE),
            S.UP,
            "Activated",
            "an SPM was elected and the pool serves storage",
        ),
        Row("deactivate", (S.UP,), S.MAINTENANCE, "Deactivated", "an operator took it down"),
        Row(
            "mark_non_responsive",
            (S.UP,),
            S.NON_RESPONSIVE,
            "MarkedNonResponsive",
            "its SPM stopped answering",
        ),
        Row(
            "mark_not_operational",
            (S.UP, S.NON_RESPONSIVE),
            S.NOT_OPERATIONAL,
            "MarkedNotOperational",
            "its master domain is unreachable",
        ),
    ],
)


class StoragePool(StateMachineAggregate):
    TABLE = STORAGE_POOL_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    Activated: ClassVar[type[Any]]
    Deactivated: ClassVar[type[Any]]
    MarkedNonResponsive: ClassVar[type[Any]]
    MarkedNotOperational: ClassVar[type[Any]]
    state: StoragePoolStatus
    name: str

    @event("Created")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        name: str,
        to_state: StoragePoolStatus = StoragePoolStatus.UP,
    ) -> None:
        self.name = name

    @event("Activated")
    def activate(self, meta: EventMeta) -> None:
        pass

    @event("Deactivated")
    def deactivate(self, meta: EventMeta) -> None:
        pass

    @event("MarkedNonResponsive")
    def mark_non_responsive(self, meta: EventMeta) -> None:
        pass

    @event("MarkedNotOperational")
    def mark_not_operational(self, meta: EventMeta) -> None:
        pass
