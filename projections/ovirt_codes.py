"""oVirt's numbers and Java names for what tasktrail records, as oVirt's DAOs write them.

An enum goes into oVirt's tables as its ``getValue()`` where it has one, else as its ordinal
(``CustomMapSqlParameterSource``); a Java object as JSON beside its class name. These tables
are the one place that knows them: ``ActionType`` ids (``common/action/ActionType.java``), the
command and parameters classes of each action, and the ``AsyncTask*`` enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from uuid import NAMESPACE_URL, UUID, uuid5

ZERO_UUID = UUID(int=0)
"""``Guid.Empty``: what oVirt writes for "no id" in most uuid columns (never NULL)."""
EMPTY_SESSION_SEQ_ID = -1
"""``SsoSessionUtils.EMPTY_SESSION_SEQ_ID``: no engine session; tasktrail has none."""
RETURN_VALUE_CLASS = "org.ovirt.engine.core.common.action.ActionReturnValue"

_BLL = "org.ovirt.engine.core.bll"
_PARAMS = "org.ovirt.engine.core.common.action"


@dataclass(frozen=True)
class OvirtAction:
    """One ``ActionType``: its id, the command class and its parameters class."""

    id: int
    command_class: str
    parameters_class: str


ACTIONS = MappingProxyType(
    {
        "AddVm": OvirtAction(1, f"{_BLL}.AddVmCommand", f"{_PARAMS}.AddVmParameters"),
        "RemoveVm": OvirtAction(4, f"{_BLL}.RemoveVmCommand", f"{_PARAMS}.RemoveVmParameters"),
        "RemoveImage": OvirtAction(
            211,
            f"{_BLL}.storage.disk.image.RemoveImageCommand",
            f"{_PARAMS}.RemoveImageParameters",
        ),
        "RemoveAllVmImages": OvirtAction(
            212,
            f"{_BLL}.storage.disk.image.RemoveAllVmImagesCommand",
            f"{_PARAMS}.RemoveAllVmImagesParameters",
        ),
        "AddEmptyStoragePool": OvirtAction(
            950,
            f"{_BLL}.storage.pool.AddEmptyStoragePoolCommand",
            f"{_PARAMS}.StoragePoolManagementParameter",
        ),
        "AddExternalJob": OvirtAction(
            1800, f"{_BLL}.AddExternalJobCommand", f"{_PARAMS}.AddExternalJobParameters"
        ),
        "EndExternalJob": OvirtAction(
            1801, f"{_BLL}.EndExternalJobCommand", f"{_PARAMS}.EndExternalJobParameters"
        ),
        "ClearExternalJob": OvirtAction(
            1802, f"{_BLL}.ClearExternalJobCommand", f"{_PARAMS}.ActionParametersBase"
        ),
        "AddExternalStep": OvirtAction(
            1803, f"{_BLL}.AddExternalStepCommand", f"{_PARAMS}.AddExternalStepParameters"
        ),
        "EndExternalStep": OvirtAction(
            1804, f"{_BLL}.EndExternalStepCommand", f"{_PARAMS}.EndExternalStepParameters"
        ),
        # tasktrail's own (oVirt has no such action): ids above any of oVirt's.
        "Redrive": OvirtAction(90001, "tasktrail.Redrive", "tasktrail.RedriveParameters"),
        "Cancel": OvirtAction(90002, "tasktrail.Cancel", "tasktrail.CancelParameters"),
    }
)
UNKNOWN_ACTION = OvirtAction(0, f"{_BLL}.CommandBase", f"{_PARAMS}.ActionParametersBase")
"""``ActionType.Unknown``, for an action this table does not know (a test keeps it complete)."""


def action(name: str) -> OvirtAction:
    return ACTIONS.get(name, UNKNOWN_ACTION)


ASYNC_TASK_STATUS = MappingProxyType(
    {"unknown": 0, "init": 1, "running": 2, "finished": 3, "aborting": 4, "cleaning": 5}
)
"""``AsyncTaskStatusEnum.getValue()``."""
ASYNC_TASK_RESULT = MappingProxyType(
    {"success": 0, "failure": 1, "cleanSuccess": 2, "cleanFailure": 3, "unknown": 4}
)
"""``AsyncTaskResultEnum``, stored as its ordinal."""
ASYNC_TASK_TYPE = MappingProxyType(
    {
        name: ordinal
        for ordinal, name in enumerate(
            [
                *("unknown", "copyImage", "moveImage", "createVolume", "deleteVolume"),
                *("deleteImage", "reduceImage", "mergeSnapshots", "cloneImageStructure"),
                *("syncImageData", "extendImageSize", "downloadImage", "uploadImageToStream"),
                *("downloadImageFromStream", "prepareMerge", "finalizeMerge", "notSupported"),
                *("addLease", "removeLease", "switchMaster"),
            ]
        )
    }
)
"""``AsyncTaskType``, stored as its ordinal."""

SNAPSHOT_TYPES = MappingProxyType(
    {
        name: ordinal
        for ordinal, name in enumerate(
            [
                "DELETED_OR_UPDATED_ENTITY",
                "NEW_ENTITY_ID",
                "CHANGED_STATUS_ONLY",
                "UPDATED_ONLY_ENTITY",
                "TRANSIENT_ENTITY",
            ]
        )
    }
)
"""``BusinessEntitySnapshot.SnapshotType``, stored as its ordinal."""
SNAPSHOT_ENTITY_CLASSES = MappingProxyType(
    {
        "Vm": "org.ovirt.engine.core.common.businessentities.VmDynamic",
        "Disk": "org.ovirt.engine.core.common.businessentities.storage.Image",
    }
)
"""The class of the entity oVirt snapshots: RemoveVm's ``VmDynamic`` and each disk's ``Image``."""
STATUS_SNAPSHOT_CLASS = (
    "org.ovirt.engine.core.common.businessentities.BusinessEntitySnapshot$EntityStatusSnapshot"
)
"""The payload class of a CHANGED_STATUS_ONLY snapshot (``snapshotEntityStatus``)."""


def user_uuid(name: str) -> UUID:
    """The id a tasktrail user has in oVirt's uuid columns (tasktrail's users are names)."""
    return uuid5(NAMESPACE_URL, f"tasktrail:user:{name}")


def as_uuid(text: str | None) -> UUID | None:
    """An id tasktrail keeps as text (the SPM's task id) in a uuid column; NULL if it is none."""
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


def fit(text: str, width: int) -> str:
    """Text within a column's width: oVirt refuses longer values before they are stored (a
    correlation id has at most 50 characters), tasktrail's history may hold them."""
    return text[:width]
