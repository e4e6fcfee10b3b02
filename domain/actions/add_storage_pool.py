"""AddEmptyStoragePool: a storage pool (data center) whose SPM will run storage tasks."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import Field

from domain.actions.action_type import ActionType
from domain.framework.command_base import ActionParameters, CommandBase
from domain.framework.execution import Execution
from domain.framework.unit_of_work import UnitOfWork
from domain.inventory.storage_pool import StoragePool


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

    def execute(self, run: Execution) -> Any:
        with run.transaction() as uow:
            if uow.find(StoragePool, self.params.storage_pool_id) is None:
                uow.add(
                    StoragePool.create(
                        run.cause, id=self.params.storage_pool_id, name=self.params.name
                    )
                )
        return self.planned_result()
