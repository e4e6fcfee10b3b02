"""Roles: what each aggregate of a recorded run *is* to that run, so two runs can be compared.

Two runs of RemoveVm share no ids (each has its own command, job, steps and tasks), but both
have a root command, a job, a RemoveImage for the VM's second disk and a DELETE_IMAGE step
under it. A role names an aggregate by that place in the run: ``RemoveVm/RemoveImage#2``,
``job/EXECUTING#1``, ``RemoveVm/RemoveImage#2/task#0``, ``vm#1/disk#2``. Events are then
compared role by role, in each role's own order, with every id in their payloads replaced
by its role and every clock reading left out: what is left is what the code decided.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.services.ids import task_id_for
from tasktrail.projections.changes import aggregate_type, event_type

Event = StateMachineAggregate.Event

_NOT_DECIDED = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "meta",
    "trigger",
    "from_state",
    "to_state",
}
"""Fields of every event that are not the code's decision (ids, clock readings, metadata)."""
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""An id written into a message ("CHILD_COMMAND_FAILED: RemoveImage 86a5e13d-…")."""
_MAX_TASKS = 16
"""More storage tasks than any command starts; bounds the search for a task's index."""


def _created(events: Iterable[Event]) -> dict[UUID, Event]:
    return {e.originator_id: e for e in events if e.originator_version == 1}


@dataclass
class Roles:
    """The role of every aggregate of a run whose root command is ``root_id``."""

    events: Sequence[Event]
    root_id: UUID
    names: dict[UUID, str] = field(default_factory=dict)
    _labels: dict[str, str] = field(default_factory=dict)
    """Names people gave the inventory ("web1"), replaced by roles in messages."""
    _label_text: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        created = _created(self.events)
        self._inventory(created)
        self._commands(created)
        root = created.get(self.root_id)
        job_id = getattr(root, "job_id", None)
        if job_id is not None:
            self.names[job_id] = "job"
        self._tasks(created)
        self._steps(created, job_id)
        self._the_rest(created)

    @property
    def family(self) -> set[UUID]:
        """The root command and its descendants."""
        return {i for i, name in self.names.items() if name.startswith(self._root_name)}

    @property
    def _root_name(self) -> str:
        return self.names.get(self.root_id, "?")

    def of(self, aggregate_id: UUID) -> str:
        return self.names.get(aggregate_id, "other")

    def _commands(self, created: dict[UUID, Event]) -> None:
        children: dict[UUID, list[UUID]] = defaultdict(list)
        for e in self.events:
            if event_type(e) == "ChildrenAdded" and aggregate_type(e) == "Command":
                children[e.originator_id] += [UUID(str(c)) for c in getattr(e, "child_ids", ())]
        root = created.get(self.root_id)
        if root is None:
            return
        queue = [(self.root_id, str(getattr(root, "action_type", "Command")))]
        while queue:
            command_id, name = queue.pop(0)
            self.names[command_id] = name
            for index, child in enumerate(children.get(command_id, [])):
                made = created.get(child)
                action = getattr(made, "action_type", "Command")
                disk = (getattr(made, "parameters", None) or {}).get("disk_id")
                about = f"[{self._text(disk)}]" if disk else ""
                queue.append((child, f"{name}/{action}#{index}{about}"))

    def _tasks(self, created: dict[UUID, Event]) -> None:
        """A task is named under its step when it has one (``…/DELETE_IMAGE/task#0``)."""
        for task_id, e in created.items():
            command_id = getattr(e, "command_id", None)
            if aggregate_type(e) != "AsyncTask" or command_id not in self.names:
                continue
            index = next((i for i in range(_MAX_TASKS) if task_id_for(command_id, i) == task_id), 0)
            step = created.get(getattr(e, "step_id", None) or task_id)
            above = self.names[command_id]
            if step is not None and aggregate_type(step) == "Step":
                above = self.names[step.originator_id] = f"{above}/{getattr(step, 'step_type', '')}"
            self.names[task_id] = f"{above}/task#{index}"

    def _steps(self, created: dict[UUID, Event], job_id: UUID | None) -> None:
        steps = {i: e for i, e in created.items() if aggregate_type(e) == "Step"}
        for step_id, e in steps.items():
            if getattr(e, "job_id", None) == job_id:
                self._step(step_id, steps)

    def _step(self, step_id: UUID, steps: dict[UUID, Event]) -> str:
        if step_id in self.names:
            return self.names[step_id]
        e = steps[step_id]
        parent = getattr(e, "parent_step_id", None)
        above = self._step(parent, steps) if parent in steps else "job"
        name = f"{above}/{getattr(e, 'step_type', 'STEP')}#{getattr(e, 'step_number', 0)}"
        self.names[step_id] = name
        return name

    def _inventory(self, created: dict[UUID, Event]) -> None:
        """VMs and pools by order of creation, disks by their place in their VM."""
        counts: dict[str, int] = defaultdict(int)
        for aggregate_id, e in created.items():
            kind = aggregate_type(e)
            if kind not in ("Vm", "StoragePool"):
                continue
            counts[kind] += 1
            self.names[aggregate_id] = f"{kind.lower()}#{counts[kind]}"
            for number, disk_id in enumerate(getattr(e, "disk_ids", ()) or (), start=1):
                self.names[UUID(str(disk_id))] = f"{self.names[aggregate_id]}/disk#{number}"
        for aggregate_id, e in created.items():
            label = getattr(e, "name", None) or getattr(e, "alias", None)
            if aggregate_id in self.names and isinstance(label, str) and label.strip():
                self._labels[label] = self.names[aggregate_id]
        if self._labels:
            words = "|".join(re.escape(w) for w in sorted(self._labels, key=len, reverse=True))
            self._label_text = re.compile(rf"(?<![\w-])({words})(?![\w-])")

    def _the_rest(self, created: dict[UUID, Event]) -> None:
        """Locks by what they lock; anything else by type and order of creation."""
        counts: dict[str, int] = defaultdict(int)
        for aggregate_id, e in created.items():
            kind = aggregate_type(e)
            if kind == "EngineLock":
                key = self.of(UUID(str(getattr(e, "key", aggregate_id))))
                self.names[aggregate_id] = f"lock:{getattr(e, 'group', '?')}:{key}"
            elif aggregate_id not in self.names:
                counts[kind] += 1
                self.names[aggregate_id] = f"{kind.lower()}#{counts[kind]}"

    def run_of(self, events: Iterable[Event]) -> list[Event]:
        """The events the run itself recorded: on its own aggregates, or caused by it.

        A command created because of this run (a Redrive, a Cancel) is a run of its own.
        """
        family = self.family
        own = family | {i for i, n in self.names.items() if n == "job" or n.startswith("job/")}
        own |= {i for i, n in self.names.items() if n.startswith(self._root_name + "/")}
        return [
            e
            for e in events
            if e.originator_id in own
            or (e.meta.causation_id in family and aggregate_type(e) != "Command")
        ]

    def plain(self, value: Any) -> Any:
        """``value`` with every id replaced by its role (ids of no role: ``other``)."""
        if isinstance(value, dict):
            return {self._text(k): self.plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.plain(v) for v in value]
        return self._text(value) if isinstance(value, str | UUID) else value

    def _text(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return self.of(value)
        if not isinstance(value, str):
            return value
        value = _UUID_TEXT.sub(lambda m: self.of(UUID(m.group())), value)
        if self._label_text is not None:
            value = self._label_text.sub(lambda m: self._labels[m.group()], value)
        return value


@dataclass(frozen=True)
class Decision:
    """One recorded event as a decision: which role, its how-many-th, and what was decided."""

    role: str
    index: int
    event: str
    to_state: str
    detail: dict[str, Any]
    order: int
    """Where it stands in its own run's order."""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.event, self.to_state, repr(sorted(self.detail.items())))

    @property
    def label(self) -> str:
        return f"{self.event} → {self.to_state}"


TIMING = frozenset({"AsyncTask.StatusPolled"})
"""Events that say when a poll happened to look rather than what was decided: a task seen
still running. Two runs of the same work record them as their polls fell; ``diff`` leaves
them out (a what-if replays polls one by one and keeps them)."""


def decisions(
    events: Sequence[Event], roles: Roles, leave_out: frozenset[str] = frozenset()
) -> list[Decision]:
    """The run's events as decisions, in the order given (but those named in ``leave_out``)."""
    seen: dict[str, int] = defaultdict(int)
    found = []
    for order, e in enumerate(events):
        name = f"{aggregate_type(e)}.{event_type(e)}"
        if name in leave_out:
            continue
        role = roles.of(e.originator_id)
        detail = roles.plain(e.model_dump(mode="json", exclude=_NOT_DECIDED))
        found.append(Decision(role, seen[role], name, e.to_state, detail, order))
        seen[role] += 1
    return found
