"""Ids the engine chooses, derived from the root command's, so that doing a thing twice names
the same things: a resubmitted storage task is the task the SPM already has, and a command
executed again makes the same children."""

from __future__ import annotations

from uuid import NAMESPACE_OID, UUID, uuid5


def task_id_for(command_id: UUID, index: int) -> UUID:
    """The id of a command's ``index``-th storage task (also the SPM's task id)."""
    return uuid5(NAMESPACE_OID, f"tasktrail:{command_id}:task:{index}")


def child_id_for(parent_id: UUID, index: int) -> UUID:
    """The id of a command's ``index``-th child command."""
    return uuid5(NAMESPACE_OID, f"tasktrail:{parent_id}:child:{index}")
