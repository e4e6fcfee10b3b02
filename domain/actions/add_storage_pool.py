"""AddEmptyStoragePool: a storage pool (data center) whose SPM will run storage tasks."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import Field

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.model.events import AuditNote
from tasktrail.domain.model.inventory.storage_pool import StoragePool
from tasktrail.domain.services.command_base import ActionParameters, CommandBase, Phase
from tasktrail.domain.services.execution import Execution
from tasktrail.domain.services.messages import Msg, Var
from tasktrail.domain.services.ports import Lookups, UnitOfWork


class AddStoragePoolParameters(ActionParameters):
    name: str = Field(min_length=1, max_length=40)
    storage_pool_id: UUID = Field(default_factory=uuid4)


class AddStoragePoolCommand(CommandBase[AddStoragePoolParameters]):
    action_type = ActionType.ADD_STORAGE_POOL
    parameters_class = AddStoragePoolParameters

    def description(self, uow: UnitOfWork) -> str:
        return f"Adding storage pool {self.params.name}"

    def planned_result(self) -> Any:
        return {"storage_pool_id": str(self.params.storage_pool_id)}

    monitored = False
    action_vars = (Var.ACTION_ADD.value, Var.TYPE_STORAGE_POOL.value)

    def audit(
        self, uow: UnitOfWork, phase: Phase, succeeded: bool, result: Any = None
    ) -> AuditNote | None:
        """USER_ADD_STORAGE_POOL, or USER_ADD_STORAGE_POOL_FAILED."""
        if phase is not Phase.EXECUTE:
            return None
        values = {
            "StoragePoolName": self.params.name,
            "CompatibilityVersion": "4.7",
            "QuotaEnforcementType": "DISABLED",
        }
        log_type = "USER_ADD_STORAGE_POOL" if succeeded else "USER_ADD_STORAGE_POOL_FAILED"
        return AuditNote(log_type=log_type, values=values)

    def validate(self, uow: UnitOfWork, lookups: Lookups) -> list[str]:
        if uow.find(StoragePool, self.params.storage_pool_id) is not None:
            return [Msg.STORAGE_POOL_EXISTS.value]
        return []

    def execute(self, run: Execution) -> Any:
        run.uow.add(StoragePool(run.cause, id=self.params.storage_pool_id, name=self.params.name))
        return self.planned_result()
