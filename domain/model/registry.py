"""Every aggregate type and event class tasktrail records: the one allow-list of topics.

Stored events name their class by a stable topic (``Command.Succeeded``); decoding looks the
topic up here and nowhere else, so nothing read from a database or a bundle is ever imported
by name. Topics written by earlier versions (module paths) are listed as aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.domain.model.inventory.storage_pool import StoragePool
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.domain.model.step.aggregate import Step

AGGREGATES: tuple[type[StateMachineAggregate], ...] = (
    Command,
    Job,
    Step,
    AsyncTask,
    EngineLock,
    Vm,
    Disk,
    StoragePool,
)

_LEGACY_MODULES = {
    Command: "domain.command.aggregate",
    Job: "domain.job.aggregate",
    Step: "domain.step.aggregate",
    AsyncTask: "domain.async_task.aggregate",
    EngineLock: "domain.lock.aggregate",
    Vm: "domain.inventory.vm",
    Disk: "domain.inventory.disk",
    StoragePool: "domain.inventory.storage_pool",
}
"""Where version 0.1 kept each aggregate: its events were stored as ``module:Class.Event``."""


def event_classes(cls: type[StateMachineAggregate]) -> dict[str, type[StateMachineAggregate.Event]]:
    """The event classes the aggregate records, by name (creation event first)."""
    return {name: getattr(cls, name) for name in cls.TABLE.events}


RETIRED_EVENTS: Mapping[tuple[type[StateMachineAggregate], str], type[StateMachineAggregate.Event]]
RETIRED_EVENTS = MappingProxyType({(Vm, "Restored"): Vm.ImageLocked})
"""Events version 0.1 recorded and nothing records now, read as the event that leaves the
aggregate as they did: 0.1's compensation brought a removed VM back with its images locked.
"""

RETIRED_STATES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"Vm": {"Removed": "ImageLocked"}, "Disk": {"REMOVED": "LOCKED"}}
)
"""States version 0.1 had, by aggregate, and the state read in their place. 0.1 moved a
removed VM or disk to Removed; now the same move keeps the state and closes the stream
(the aggregate is ``deleted``), as oVirt deletes the rows.
"""


def _topics() -> dict[str, type[StateMachineAggregate.Event]]:
    found: dict[str, type[StateMachineAggregate.Event]] = {}
    named = [(cls, name, e) for cls in AGGREGATES for name, e in event_classes(cls).items()]
    named += [(cls, name, e) for (cls, name), e in RETIRED_EVENTS.items()]
    for cls, name, event_class in named:
        found[f"{cls.__name__}.{name}"] = event_class
        found[f"{_LEGACY_MODULES[cls]}:{cls.__name__}.{name}"] = event_class
    return found


EVENT_TOPICS: Mapping[str, type[StateMachineAggregate.Event]] = MappingProxyType(_topics())
"""Every topic tasktrail decodes, current and legacy, to its event class."""

AGGREGATE_TOPICS: Mapping[str, type[StateMachineAggregate]] = MappingProxyType(
    {cls.TOPIC: cls for cls in AGGREGATES}
)
