"""The StoragePool aggregate (oVirt's data center storage pool); its SPM runs storage tasks."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from domain.events import Cause
from domain.state_machine import Created as BaseCreated
from domain.state_machine import Row, StateMachineAggregate, TransitionTable


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
    state: StoragePoolStatus

    name: str

    class Created(BaseCreated):
        name: str

        def apply(self, aggregate: StoragePool) -> None:
            aggregate.name = self.name

    @classmethod
    def create(
        cls,
        cause: Cause,
        *,
        name: str,
        status: StoragePoolStatus = StoragePoolStatus.UP,
        id: UUID | None = None,
    ) -> StoragePool:
        return cls._create(cls.Created, cause, status, id=id, name=name)

    def activate(self, cause: Cause) -> None:
        self._transition("activate", cause)

    def deactivate(self, cause: Cause) -> None:
        self._transition("deactivate", cause)

    def mark_non_responsive(self, cause: Cause) -> None:
        self._transition("mark_non_responsive", cause)

    def mark_not_operational(self, cause: Cause) -> None:
        self._transition("mark_not_operational", cause)
