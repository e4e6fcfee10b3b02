"""What a run of RemoveVm commands left behind, judged from the event store and the storage.

``audit`` returns every broken rule as one readable line, so a failed run shows all of them at
once: a job that did not finish (or failed for anything but the fault injected on purpose), a
command that ended twice or executed twice, a lock still held, a task not cleared, a disk the
storage deleted more or less than once, a task reported "never submitted".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import OperationalError

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import AsyncTaskState
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.inventory.disk import Disk, DiskStatus
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.projections.event_log import Recorded
from tasktrail.runners.event_store import EventStore
from tests.chaos.harness import StorageLedger

Event = StateMachineAggregate.Event
ENDINGS = frozenset(
    {
        "Command.EndedSuccessfully",
        "Command.EndedWithFailure",
        "Command.EndedSynchronously",
        "Command.MarkedUnknown",
    }
)
FAULT_MESSAGE = "Image deletion failed"
"""What the simulated SPM reports for a task whose disk had a ``delete`` fault armed."""


@dataclass
class Removal:
    """One RemoveVm of the run: its VM, disks, root command, and the disk faulted, if any."""

    vm_id: UUID
    disks: list[UUID]
    root: UUID | None = None
    faulted: UUID | None = None


@dataclass
class History:
    """Every stored event, with the counts the rules need."""

    events: list[Event]
    names: dict[UUID, list[str]] = field(default_factory=lambda: defaultdict(list))
    families: dict[UUID, list[UUID]] = field(default_factory=lambda: defaultdict(list))
    images: Counter[UUID] = field(default_factory=Counter)
    """RemoveImage commands per disk."""
    tasks: Counter[UUID] = field(default_factory=Counter)
    """AsyncTasks recorded per disk."""

    @classmethod
    def of(cls, store: EventStore) -> History:
        events, position = [], 0
        while batch := _read(store, position):
            events += [r.event for r in batch]
            position = batch[-1].position
        history = cls(events)
        for event in events:
            history._note(event)
        return history

    def _note(self, event: Event) -> None:
        name = type(event).__qualname__
        self.names[event.originator_id].append(name)
        if name == "Command.Created":
            root = event.root_command_id or event.originator_id  # type: ignore[attr-defined]
            self.families[root].append(event.originator_id)
            if event.action_type == "RemoveImage":  # type: ignore[attr-defined]
                self.images[UUID(event.parameters["disk_id"])] += 1  # type: ignore[attr-defined]
        elif name == "AsyncTask.Created":
            self.tasks[event.entity_id] += 1  # type: ignore[attr-defined]

    def removal_of(self, vm_id: UUID) -> UUID | None:
        """The RemoveVm recorded for ``vm_id`` (by whichever process recorded it)."""
        for event in self.events:
            made: Any = event
            if (
                type(event).__qualname__ == "Command.Created"
                and made.action_type == "RemoveVm"
                and made.parameters["vm_id"] == str(vm_id)
            ):
                return event.originator_id
        return None

    def count(self, aggregate_id: UUID, name: str) -> int:
        return self.names[aggregate_id].count(name)

    def of_type(self, prefix: str) -> list[UUID]:
        return [i for i, names in self.names.items() if names[0].startswith(prefix)]


def _read(store: EventStore, position: int) -> list[Recorded]:
    """The test's own reading of the log: a dropped connection is read again (once)."""
    try:
        return store.read(position, 5000)
    except OperationalError:
        return store.read(position, 5000)


def audit(
    store: EventStore, removals: list[Removal], ledger: StorageLedger | None = None
) -> list[str]:
    """Every rule the run broke, one line each (an empty list: the run was clean)."""
    history = History.of(store)
    problems: list[str] = []
    for removal in removals:
        problems += _removal(store, history, removal)
    problems += _commands(history)
    problems += _leftovers(store, history)
    if ledger is not None:
        problems += _storage(ledger, [d for r in removals for d in r.disks])
    return problems


def _removal(store: EventStore, history: History, removal: Removal) -> list[str]:
    if removal.root is None:
        return [f"VM {removal.vm_id}: its RemoveVm was never recorded"]
    root = store.load(Command, removal.root)
    if root.job_id is None:
        return [f"RemoveVm {removal.root}: refused {root.messages}"]
    if not store.exists(root.job_id):
        names = history.names[removal.root]
        return [f"RemoveVm {removal.root} has no job: {root.state.value} {root.messages} {names}"]
    job = store.load(Job, root.job_id)
    problems = _job(removal, job) + _disks(store, history, removal)
    if removal.faulted is None:
        problems += [
            f"{c.action_type} {c.id} of a healthy RemoveVm: {c.state.value} {c.messages}"
            for c in (store.load(Command, i) for i in history.families[removal.root])
            if c.state.value != "ENDED_SUCCESSFULLY"
        ]
    return problems


def _job(removal: Removal, job: Job) -> list[str]:
    if removal.faulted is None:
        if job.state is JobExecutionStatus.FINISHED:
            return []
        return [f"job {job.id} of a healthy RemoveVm is {job.state.value}: {job.reason}"]
    if job.state is JobExecutionStatus.FAILED and FAULT_MESSAGE in (job.reason or ""):
        return []
    return [f"job {job.id} (fault on disk {removal.faulted}) is {job.state.value}: {job.reason}"]


def _disks(store: EventStore, history: History, removal: Removal) -> list[str]:
    """The faulted disk is ILLEGAL (its image's state unknown); every other one was deleted."""
    problems = []
    for disk_id in removal.disks:
        disk = store.load(Disk, disk_id)
        if disk_id == removal.faulted and (disk.deleted or disk.state is not DiskStatus.ILLEGAL):
            problems.append(f"faulted disk {disk_id} is {disk.state.value}, not ILLEGAL")
        if disk_id != removal.faulted and not disk.deleted:
            problems.append(f"disk {disk_id} is {disk.state.value}, not deleted")
        for what, counter in (("RemoveImage commands", history.images), ("tasks", history.tasks)):
            if counter[disk_id] != 1:
                problems.append(f"disk {disk_id} has {counter[disk_id]} {what}, expected 1")
    return problems


def _commands(history: History) -> list[str]:
    """No command ends twice or executes twice, whoever raced whom."""
    problems = []
    for command_id in history.of_type("Command."):
        names = history.names[command_id]
        ended = sum(n in ENDINGS for n in names)
        if ended > 1:
            problems.append(f"command {command_id} ended {ended} times: {names}")
        if names.count("Command.Executed") > 1:
            problems.append(f"command {command_id} executed twice: {names}")
    return problems


def _leftovers(store: EventStore, history: History) -> list[str]:
    problems = []
    for task_id in history.of_type("AsyncTask."):
        task = store.load(AsyncTask, task_id)
        if task.state is not AsyncTaskState.CLEARED:
            problems.append(f"task {task_id} left {task.state.value}")
        if "never submitted" in (task.error or ""):
            problems.append(f"task {task_id} recorded never submitted: {task.error}")
        if history.count(task_id, "AsyncTask.PollingStarted") != 1:
            problems.append(f"task {task_id} submitted {history.names[task_id]}")
    for lock_id in history.of_type("EngineLock."):
        lock = store.load(EngineLock, lock_id)
        if lock.state is not LockState.FREE:
            problems.append(f"lock {lock_id} left {lock.state.value}")
    return problems


def _storage(ledger: StorageLedger, disks: list[UUID]) -> list[str]:
    """Each disk's deletion accepted by the SPM once, and forgotten (cleared) once."""
    problems = []
    for change in ("accepted", "forgotten"):
        counts = ledger.counts(change)
        problems += [
            f"disk {d}: the SPM {change} {counts[str(d)]} tasks, expected 1"
            for d in disks
            if counts[str(d)] != 1
        ]
    if kept := ledger.kept():
        problems.append(f"the SPM still holds {kept} tasks nobody will clear")
    return problems
