"""oVirt's message lists read as sentences, as oVirt's frontend shows them to people.

A refusal is a list like ``[VAR__ACTION__REMOVE, VAR__TYPE__VM, ACTION_TYPE_FAILED_OBJECT_LOCKED,
$diskAliases d1]``: the action and type words fill ``${action}`` and ``${type}``, each
``$name value`` fills ``${name}``, and every placeholder left unfilled is dropped, so no raw
template reaches the screen. JSON keeps the list as it is.
"""

from __future__ import annotations

import re

from tasktrail.domain.services.messages import Msg

ACTIONS = {"ADD": "add", "REMOVE": "remove", "END": "end", "CLEAR": "clear"}
TYPES = {
    "VM": "VM",
    "STORAGE__POOL": "Data Center",
    "EXTERNAL_JOB": "external job",
    "EXTERNAL_STEP": "external step",
}
_CANNOT = "Cannot ${action} ${type}."
TEXTS: dict[str, str] = {
    Msg.VM_NOT_FOUND: f"{_CANNOT} VM not found.",
    Msg.DELETE_PROTECTION_ENABLED: f"{_CANNOT} The VM is protected from deletion.",
    Msg.VM_IS_RUNNING: f"{_CANNOT} The VM is running.",
    Msg.VM_NOT_DOWN: "Cannot remove VM: the VM must be Down.",
    Msg.VM_IS_LOCKED: f"{_CANNOT} The VM is locked.",
    Msg.VM_HAS_RUNNING_TASKS: "Cannot remove VM: the VM has storage tasks running.",
    Msg.VM_ATTACHED_TO_POOL: f"{_CANNOT} The VM is attached to a VM pool.",
    Msg.VM_IS_DURING_SNAPSHOT: f"{_CANNOT} The VM is taking a snapshot.",
    Msg.VM_IS_DURING_BACKUP: f"{_CANNOT} The VM is being backed up.",
    Msg.DISKS_LOCKED: f"{_CANNOT} Disks ${{diskAliases}} are locked.",
    Msg.STORAGE_POOL_NOT_FOUND: f"{_CANNOT} Data Center not found.",
    Msg.STORAGE_POOL_STATUS_ILLEGAL: f"{_CANNOT} The Data Center is not Up.",
    Msg.OBJECT_LOCKED: f"{_CANNOT} Related operation is currently in progress. "
    "Please try again later.",
    Msg.DISK_NOT_FOUND: f"{_CANNOT} Disk not found.",
    Msg.VM_ID_EXISTS: f"{_CANNOT} A VM with this id exists.",
    Msg.DISK_ALREADY_EXISTS: f"{_CANNOT} A disk with this id exists.",
    Msg.STORAGE_POOL_EXISTS: f"{_CANNOT} A Data Center with this id exists.",
    Msg.CORRELATION_ID_INVALID: "The correlation id must match ${regexp}.",
    Msg.NO_JOB: f"{_CANNOT} No such job.",
    Msg.NO_STEP: f"{_CANNOT} No such step.",
    Msg.NO_PARENT: f"{_CANNOT} No such parent job or step.",
    Msg.NOT_EXTERNAL: f"{_CANNOT} It is not external.",
    Msg.EMPTY_DESCRIPTION: f"{_CANNOT} The description is empty.",
}
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def sentence(messages: list[str] | tuple[str, ...]) -> str:
    """The messages as one line of text (empty for none)."""
    words = {"action": "do", "type": "it"}
    keys: list[str] = []
    for message in messages:
        _read(message, words, keys)
    texts = [_filled(TEXTS.get(key, key), words) for key in keys]
    return " ".join(" ".join(texts).split())


def _read(message: str, words: dict[str, str], keys: list[str]) -> None:
    if message.startswith("VAR__ACTION__"):
        words["action"] = ACTIONS.get(message.removeprefix("VAR__ACTION__"), "do")
    elif message.startswith("VAR__TYPE__"):
        words["type"] = TYPES.get(message.removeprefix("VAR__TYPE__"), "it")
    elif message.startswith("$"):
        name, _, value = message[1:].partition(" ")
        words[name] = value
    else:
        keys.append(message)


def _filled(text: str, words: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: words.get(m.group(1), ""), text)
