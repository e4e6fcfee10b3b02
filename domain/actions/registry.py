"""oVirt's CommandFactory as a table: each ActionType and the class that runs it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.actions.action_type import ActionType
from domain.actions.add_storage_pool import AddStoragePoolCommand
from domain.actions.add_vm import AddVmCommand
from domain.actions.remove_all_vm_images import RemoveAllVmImagesCommand
from domain.actions.remove_image import RemoveImageCommand
from domain.actions.remove_vm import RemoveVmCommand
from domain.errors import TasktrailError
from domain.framework.command_base import CommandBase

ACTION_TYPES: Mapping[ActionType, type[CommandBase[Any]]] = {
    ActionType.ADD_STORAGE_POOL: AddStoragePoolCommand,
    ActionType.ADD_VM: AddVmCommand,
    ActionType.REMOVE_VM: RemoveVmCommand,
    ActionType.REMOVE_ALL_VM_IMAGES: RemoveAllVmImagesCommand,
    ActionType.REMOVE_IMAGE: RemoveImageCommand,
}


class UnknownActionError(TasktrailError):
    def __init__(self, name: str) -> None:
        known = ", ".join(a.value for a in ACTION_TYPES)
        super().__init__(f"unknown action {name!r}: known actions are {known}")


class ActionRegistry:
    def __init__(self, classes: Mapping[ActionType, type[CommandBase[Any]]]) -> None:
        self._classes = dict(classes)

    @classmethod
    def default(cls) -> ActionRegistry:
        return cls(ACTION_TYPES)

    def command_class(self, action_type: ActionType | str) -> type[CommandBase[Any]]:
        """Accepts the enum, oVirt's name ("RemoveVm") or the member name ("REMOVE_VM")."""
        try:
            return self._classes[_parse(action_type)]
        except (KeyError, ValueError):
            raise UnknownActionError(str(action_type)) from None


def _parse(action_type: ActionType | str) -> ActionType:
    if isinstance(action_type, ActionType):
        return action_type
    if action_type in ActionType.__members__:
        return ActionType[action_type]
    return ActionType(action_type)
