"""Every action tasktrail implements and the class that runs it (oVirt's CommandsFactory)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from tasktrail.domain.actions.action_type import ActionType
from tasktrail.domain.actions.add_storage_pool import AddStoragePoolCommand
from tasktrail.domain.actions.add_vm import AddVmCommand
from tasktrail.domain.actions.cancel import CancelCommand
from tasktrail.domain.actions.external_jobs import (
    AddExternalJobCommand,
    AddExternalStepCommand,
    ClearExternalJobCommand,
    EndExternalJobCommand,
    EndExternalStepCommand,
)
from tasktrail.domain.actions.redrive import RedriveCommand
from tasktrail.domain.actions.remove_all_vm_images import RemoveAllVmImagesCommand
from tasktrail.domain.actions.remove_image import RemoveImageCommand
from tasktrail.domain.actions.remove_vm import RemoveVmCommand
from tasktrail.domain.services.command_base import ActionRegistry, CommandBase

ACTION_TYPES: Mapping[StrEnum, type[CommandBase[Any]]] = {
    ActionType.ADD_STORAGE_POOL: AddStoragePoolCommand,
    ActionType.ADD_VM: AddVmCommand,
    ActionType.REMOVE_VM: RemoveVmCommand,
    ActionType.REMOVE_ALL_VM_IMAGES: RemoveAllVmImagesCommand,
    ActionType.REMOVE_IMAGE: RemoveImageCommand,
    ActionType.ADD_EXTERNAL_JOB: AddExternalJobCommand,
    ActionType.ADD_EXTERNAL_STEP: AddExternalStepCommand,
    ActionType.END_EXTERNAL_STEP: EndExternalStepCommand,
    ActionType.END_EXTERNAL_JOB: EndExternalJobCommand,
    ActionType.CLEAR_EXTERNAL_JOB: ClearExternalJobCommand,
    ActionType.REDRIVE: RedriveCommand,
    ActionType.CANCEL: CancelCommand,
}


def default_registry() -> ActionRegistry:
    return ActionRegistry(ACTION_TYPES)
