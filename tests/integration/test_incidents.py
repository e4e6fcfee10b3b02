"""The incident "two engines on one PostgreSQL" (issue 11), from its own recorded history.

Three healthy RemoveVm jobs failed when two ``serve --until-idle`` shared one database; their
bundles are in ``tests/incidents``. These tests import each bundle into an empty
database and replay it offline, show from the recorded events the race that failed it, and
then run the incident's own RemoveVm, from the state it was recorded in before any engine
touched it, through the same two-engine interleaving on the current core, which must finish it.

What the events show (the analysis in /work/research/incidents/analysis.md, causes C1-C6):

* pg17 (``3f572d49``): both engines executed the root; the loser's ``create_task`` hit the
  winner's row (UniqueViolation on ``spm_tasks``) and it abandoned the task the SPM had accepted
  as "never submitted to the SPM" (Initializing -> Ended -> Cleared, no PollingStarted).
* pg15 (``d40f2713``) and pg19 (``ed4f2f94``): both engines executed the root; the winner saved
  PollingStarted and Executed, then the loser's stale ``start_polling`` threw
  IllegalTransitionError "is Polling", recorded as the RemoveImage's failure after its Executed;
  the task stayed Ended, never cleared.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.projections import queries
from tasktrail.projections.read_model import ReadModel, verify
from tasktrail.runners.bundle import import_file
from tasktrail.runners.event_store import EventStore
from tests.chaos.audit import Removal, audit
from tests.chaos.harness import StorageLedger
from tests.chaos.interleavings import (
    both_reach_insert,
    engine_on,
    has,
    hold_save,
    storage_of,
    until_idle,
)
from tests.scenario import Scenario

pytestmark = pytest.mark.timeout(120)

INCIDENTS = Path(__file__).parents[1] / "incidents"
"""The three bundles, copied byte for byte from ../shared/incidents (recorded histories are test
data here, as Temporal keeps the histories it replays)."""
NEVER_SUBMITTED = "3f572d49-9709-489d-a1dd-cedb83d9ab81"
IS_POLLING = ["d40f2713-4cac-4ad7-921d-aee186bc3135", "ed4f2f94-6c94-4cc4-95cd-f13a1795b8dd"]
JOBS = [NEVER_SUBMITTED, *IS_POLLING]

Event = StateMachineAggregate.Event


def bundle_path(job_id: str) -> Path:
    return INCIDENTS / f"two-engines-pg-{job_id}.json"


@dataclass
class Incident:
    """One bundle imported into an empty database: its store, read model and job."""

    store: EventStore
    model: ReadModel
    job_id: UUID

    def events(self, aggregate_id: UUID) -> list[Event]:
        return self.store.events_of(aggregate_id)

    def names(self, aggregate_id: UUID) -> list[str]:
        return [type(e).__name__ for e in self.events(aggregate_id)]

    def family(self) -> list[Command]:
        root = self.root()
        found, queue = [], [root.id]
        while queue:
            command = self.store.load(Command, queue.pop(0))
            found.append(command)
            queue.extend(command.child_ids)
        return found

    def root(self) -> Command:
        [root] = [
            e.originator_id
            for e in self.all_events()
            if type(e).__qualname__ == "Command.Created"
            and e.job_id == self.job_id  # type: ignore[attr-defined]
            and e.parent_command_id is None  # type: ignore[attr-defined]
        ]
        return self.store.load(Command, root)

    def all_events(self) -> list[Event]:
        return [r.event for r in self.store.read(0, 10_000)]

    def failed_image(self) -> Command:
        """The one RemoveImage the incident failed."""
        [image] = [
            c
            for c in self.family()
            if c.action_type == "RemoveImage" and c.state.value == "ENDED_WITH_FAILURE"
        ]
        return image

    def task_of(self, command: Command) -> AsyncTask:
        [task] = [
            e.originator_id
            for e in self.all_events()
            if type(e).__qualname__ == "AsyncTask.Created" and e.command_id == command.id  # type: ignore[attr-defined]
        ]
        return self.store.load(AsyncTask, task)


@pytest.fixture(params=JOBS, ids=["pg17", "pg15", "pg19"])
def incident(request: pytest.FixtureRequest, database_url: str) -> Iterator[Incident]:
    path = bundle_path(request.param)
    engine = engine_on(database_url)
    job_id, count = import_file(engine.store, path)
    engine.read_model.create()
    engine.read_model.catch_up()
    assert count == len(json.loads(path.read_text())["events"])
    yield Incident(engine.store, engine.read_model, job_id)
    engine.database.dispose()


# ---------------------------------------------------------------------------------------------
# The bundles import and replay offline
# ---------------------------------------------------------------------------------------------


def test_each_incident_bundle_imports_into_an_empty_database_and_replays_offline(
    incident: Incident,
) -> None:
    job = queries.job(incident.model, incident.job_id)
    assert job["status"] == "FAILED"
    assert incident.store.load(Job, incident.job_id).state is JobExecutionStatus.FAILED
    assert incident.root().state.value == "ENDED_WITH_FAILURE"
    for command in incident.family():
        for version in range(1, command.version + 1):
            assert incident.store.load(Command, command.id, version).version == version
    assert verify(incident.model.engine, incident.store) == []


# ---------------------------------------------------------------------------------------------
# The race, as the recorded events show it
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("job", [NEVER_SUBMITTED], ids=["pg17"])
def test_the_pg17_events_show_an_accepted_task_abandoned_as_never_submitted(
    database_url: str, job: str
) -> None:
    incident = _imported(database_url, job)
    image = incident.failed_image()
    task = incident.task_of(image)
    assert [e.to_state for e in incident.events(task.id)] == ["Initializing", "Ended", "Cleared"]
    assert task.error == "never submitted to the SPM"
    # The loser's own words: its INSERT met the row the winner had just committed, i.e. the SPM
    # had accepted this very task; the loser then declared it never submitted.
    failure = " ".join(image.messages)
    assert "UniqueViolation" in failure
    assert "spm_tasks_pkey" in failure
    assert str(task.vdsm_task_id) in failure
    # Both engines had executed the root (cause C1): its Executed is recorded twice.
    assert incident.names(incident.root().id).count("Executed") == 2


@pytest.mark.parametrize("job", IS_POLLING, ids=["pg15", "pg19"])
def test_the_pg15_and_pg19_events_show_a_lost_polling_race_recorded_as_a_failure(
    database_url: str, job: str
) -> None:
    incident = _imported(database_url, job)
    image = incident.failed_image()
    task = incident.task_of(image)
    names = incident.names(image.id)
    # The winner executed the RemoveImage (its task Polling), then the loser ended it failed.
    assert names.index("Executed") < names.index("EndedWithFailure")
    failure = " ".join(image.messages)
    assert "IllegalTransitionError" in failure
    assert "is Polling" in failure
    polling = _time_of(incident.events(task.id), "PollingStarted")
    ended = _time_of(incident.events(image.id), "EndedWithFailure")
    assert polling < ended
    # The orphaned task: Ended by the poller, never cleared (cause C6), so engines never idled.
    assert [e.to_state for e in incident.events(task.id)][-1] == "Ended"
    assert incident.names(incident.root().id).count("Executed") == 2


def _imported(url: str, job: str) -> Incident:
    engine = engine_on(url)
    job_id, _ = import_file(engine.store, bundle_path(job))
    engine.read_model.create()
    engine.read_model.catch_up()
    return Incident(engine.store, engine.read_model, job_id)


def _time_of(events: list[Event], name: str) -> datetime:
    [found] = [e.timestamp for e in events if type(e).__name__ == name]
    return found


# ---------------------------------------------------------------------------------------------
# The fixed engine, through the same interleavings, from the incident's own starting state
# ---------------------------------------------------------------------------------------------


@dataclass
class Start:
    """The incident's RemoveVm as it was recorded before any engine touched it."""

    removal: Removal
    pool: UUID
    events: list[StoredEvent]


def starting_state(job: str) -> Start:
    """The bundle's events stored before an engine began the job: the VM, its disks, the VM
    lock taken by validation, and the RemoveVm waiting (NOT_STARTED)."""
    body = json.loads(bundle_path(job).read_text())
    decoded = [(e, json.loads(base64.b64decode(e["state"]))) for e in body["events"]]
    root = next(
        e["originator_id"]
        for e, state in decoded
        if e["topic"].endswith("Command.Created") and state["action_type"] == "RemoveVm"
    )
    began = min(state["timestamp"] for e, state in decoded if e["originator_id"] == body["job_id"])
    before = [(e, s) for e, s in decoded if s["timestamp"] < began]
    vm, state = next((e, s) for e, s in before if e["topic"].endswith("Vm.Created"))
    disks = [UUID(e["originator_id"]) for e, _ in before if e["topic"].endswith("Disk.Created")]
    return Start(
        Removal(UUID(vm["originator_id"]), disks, UUID(root)),
        UUID(state["storage_pool_id"]),
        [_stored(e) for e, _ in before],
    )


def _stored(event: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(event["originator_id"]),
        originator_version=event["originator_version"],
        topic=event["topic"],
        state=base64.b64decode(event["state"]),
    )


def recreated(url: str, job: str) -> tuple[Scenario, Scenario, Removal]:
    """Two engines on ``url`` and the incident's world made anew by the current core: its pool,
    its VM and disks with their recorded ids, and a RemoveVm of that VM validated, waiting."""
    start = starting_state(job)
    a = engine_on(url)
    name = next(json.loads(e.state)["name"] for e in start.events if e.topic.endswith("Vm.Created"))
    for action, params in (
        ("AddEmptyStoragePool", {"name": "incident", "storage_pool_id": str(start.pool)}),
        (
            "AddVm",
            {
                "name": name,
                "storage_pool_id": str(start.pool),
                "vm_id": str(start.removal.vm_id),
                "disks": len(start.removal.disks),
                "disk_ids": [str(d) for d in start.removal.disks],
            },
        ),
    ):
        returned = a.engine.run_action(action, params, user="admin")
        assert returned.valid, returned.validation_messages
        a.drive()
    removed = a.remove_vm(start.removal.vm_id)
    assert removed.valid, removed.validation_messages
    return a, engine_on(url), Removal(start.removal.vm_id, start.removal.disks, removed.command_id)


@pytest.mark.parametrize("job", IS_POLLING, ids=["pg15", "pg19"])
def test_the_fixed_engine_finishes_pg15_and_pg19_through_their_polling_race(
    database_url: str, job: str
) -> None:
    """The winner submits and saves PollingStarted between the loser's create_task and the
    loser's own save (the loser's stale decision then loses as a conflict, not a failure)."""
    a, b, removal = recreated(database_url, job)
    ledger = StorageLedger(database_url)
    storage_of(a).after = b.loop.step
    until_idle(a, b)
    assert storage_of(b).calls > 0, "the other engine never met the task: no race was forced"
    assert audit(a.store, [removal], ledger) == []


@pytest.mark.postgres
def test_the_fixed_engine_finishes_pg17_through_its_submission_race(pg_url: str) -> None:
    """Both engines submit the same task at once (their INSERTs meet on the SPM), and the
    winner's PollingStarted is saved only after the loser's round has ended."""
    a, b, removal = recreated(pg_url, NEVER_SUBMITTED)
    ledger = StorageLedger(pg_url)
    barrier, b_done, a_submits = threading.Barrier(2), threading.Event(), threading.Event()
    raced: set[str] = set()
    for engine in (a, b):
        both_reach_insert(storage_of(engine).spm.engine, barrier, raced)
    hold_save(a, has("AsyncTask.PollingStarted"), b_done)

    def a_submitting() -> None:
        raced.add(storage_of(a).current)
        a_submits.set()

    storage_of(a).before = a_submitting

    def b_round() -> None:
        a_submits.wait(30)
        try:
            b.loop.step()
        finally:
            b_done.set()

    other = threading.Thread(target=b_round)
    other.start()
    a.loop.step()
    other.join(60)
    until_idle(a, b)
    assert barrier.n_waiting == 0
    assert not barrier.broken, "the two submissions never met: no race was forced"
    assert audit(a.store, [removal], ledger) == []


@pytest.mark.parametrize("job", IS_POLLING[:1], ids=["pg15"])
def test_a_removal_that_0_1_recorded_and_left_waiting_is_finished_after_the_upgrade(
    database_url: str, job: str
) -> None:
    """The incident's own RemoveVm, as 0.1 stored it before any engine began it (the events
    themselves, imported), resumed by the current engine."""
    start = starting_state(job)
    engine = engine_on(database_url)
    pool = {"name": "incident", "storage_pool_id": str(start.pool)}
    assert engine.engine.run_action("AddEmptyStoragePool", pool, user="admin").valid
    engine.drive()
    engine.store.recorder.insert_events(start.events)
    until_idle(engine, seconds=10)
    assert audit(engine.store, [start.removal]) == []
