"""oVirt's ActionType, the part tasktrail implements; values are oVirt's names."""

from __future__ import annotations

from enum import StrEnum


class ActionType(StrEnum):
    ADD_STORAGE_POOL = "AddEmptyStoragePool"
    ADD_VM = "AddVm"
    REMOVE_VM = "RemoveVm"
    REMOVE_ALL_VM_IMAGES = "RemoveAllVmImages"
    REMOVE_IMAGE = "RemoveImage"
    ADD_EXTERNAL_JOB = "AddExternalJob"
    END_EXTERNAL_JOB = "EndExternalJob"
    CLEAR_EXTERNAL_JOB = "ClearExternalJob"
    ADD_EXTERNAL_STEP = "AddExternalStep"
    END_EXTERNAL_STEP = "EndExternalStep"
    REDRIVE = "Redrive"
    CANCEL = "Cancel"
