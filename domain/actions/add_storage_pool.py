"""AddEmptyStoragePool: a storage pool (data center) whose SPM will run storage tasks."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import Field

from domain.actions.action_type import ActionType
from domain.model.inventory.storage_pool import StoragePool
from domain.services.command_base import ActionParameters, CommandBase
from domain.services.execution import Execution
from domain.services.messages import Msg
from domain.services.ports import UnitOfWork


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

    def validate(self, uow: UnitOfWork) -> list[str]:
        if uow.find(StoragePool, self.params.storage_pool_id) is not None:
            return [Msg.STORAGE_POOL_EXISTS.value]
        return []

    def execute(self, run: Execution) -> Any:
        run.uow.add(StoragePool(run.cause, id=self.params.storage_pool_id, name=self.params.name))
        return self.planned_result()
