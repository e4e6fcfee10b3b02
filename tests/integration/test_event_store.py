"""Events through the real store: round trips, versions, atomic saves, concurrency, upcasting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import event
from eventsourcing.persistence import StoredEvent

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.async_task.machine import (
    AsyncTaskResult,
    AsyncTaskStatus,
    AsyncTaskType,
)
from tasktrail.domain.model.command.aggregate import Command, EntitySnapshot
from tasktrail.domain.model.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    WrongAggregateTypeError,
)
from tasktrail.domain.model.events import Cause, EventMeta
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.machine import Row, TransitionTable
from tasktrail.domain.model.registry import EVENT_TOPICS
from tasktrail.runners.clocks import ManualClock
from tasktrail.runners.database import BadDatabaseUrlError, database_engine, open_event_store
from tasktrail.runners.event_chain import check
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.schema import upgrade
from tasktrail.runners.serialization import UnknownTopicError

CLOCK = ManualClock(datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC))
CAUSE = Cause.of(CLOCK, user_id="admin", correlation_id="corr-1").because_of(
    UUID("00000000-0000-4000-8000-000000000001")
)


@pytest.fixture
def store(database_url: str) -> EventStore:
    upgrade(database_engine(database_url))
    return open_event_store(database_url)


def save(store: EventStore, *aggregates: StateMachineAggregate) -> list[int]:
    events = sorted((e for a in aggregates for e in a.collect_events()), key=lambda e: e.sequence)
    return store.append(events)  # type: ignore[arg-type]


def new_command() -> Command:
    return Command(CAUSE, id=uuid4(), action_type="RemoveVm", parameters={})


def new_vm() -> Vm:
    return Vm(CAUSE, id=uuid4(), name="a", storage_pool_id=uuid4(), disk_ids=())


def test_events_round_trip_with_payloads_and_metadata(store: EventStore) -> None:
    child = uuid4()
    command = Command(
        CAUSE, id=uuid4(), action_type="RemoveVm", parameters={"vm_id": str(uuid4()), "n": 3}
    )
    command.activate(CAUSE, uuid4())
    command.snapshot_entity(
        CAUSE,
        EntitySnapshot(
            entity_id=uuid4(),
            entity_type="Vm",
            snapshot_type="CHANGED_STATUS_ONLY",
            state={"status": "Down", "disks": [1, 2]},
        ),
    )
    command.add_children(CAUSE, (child,))
    written = list(command.pending_events)
    save(store, command)

    read: list[Any] = store.events_of(command.id)

    assert [(type(e), e.model_dump()) for e in read] == [(type(e), e.model_dump()) for e in written]
    assert read[0].timestamp == CLOCK.now()
    assert read[0].timestamp.tzinfo is not None
    assert read[0].meta.causation_id == UUID("00000000-0000-4000-8000-000000000001")
    assert read[2].snapshot.state == {"status": "Down", "disks": [1, 2]}
    assert read[3].child_ids == (child,)
    again = store.load(Command, command.id)
    assert (again.state, again.child_ids, again.parameters) == (
        command.state,
        (child,),
        command.parameters,
    )


def test_enums_round_trip_as_enums(store: EventStore) -> None:
    task = AsyncTask(
        CAUSE,
        id=uuid4(),
        command_id=uuid4(),
        root_command_id=uuid4(),
        action_type="RemoveImage",
        step_id=None,
        storage_pool_id=uuid4(),
        vdsm_task_id="t",
        task_type=AsyncTaskType.DELETE_IMAGE,
    )
    task.start_polling(CAUSE)
    task.record_status(CAUSE, AsyncTaskStatus.RUNNING, AsyncTaskResult.UNKNOWN)
    save(store, task)
    again = store.load(AsyncTask, task.id)
    assert again.task_type is AsyncTaskType.DELETE_IMAGE
    assert again.status is AsyncTaskStatus.RUNNING


def test_an_aggregate_can_be_read_as_it_was_after_any_event(store: EventStore) -> None:
    command = new_command()
    command.activate(CAUSE, None)
    command.fail_execution(CAUSE, ("boom",))
    save(store, command)
    assert [store.load(Command, command.id, version=v).state.value for v in (1, 2, 3)] == [
        "NOT_STARTED",
        "ACTIVE",
        "EXECUTION_FAILED",
    ]


def test_a_save_of_several_aggregates_stores_all_or_nothing(store: EventStore) -> None:
    vm = new_vm()
    save(store, vm)
    stale = store.load(Vm, vm.id)
    fresh = store.load(Vm, vm.id)
    fresh.run(CAUSE)
    save(store, fresh)
    newcomer = new_command()
    stale.begin_backup(CAUSE)

    with pytest.raises(ConcurrencyError) as conflict:
        save(store, newcomer, stale)

    assert not store.exists(newcomer.id)
    assert vm.id in conflict.value.aggregate_ids
    assert "nothing of this save was stored" in str(conflict.value)
    assert store.load(Vm, vm.id).version == 2


def test_two_writers_of_one_aggregate_one_wins(database_url: str, store: EventStore) -> None:
    first, second = store, open_event_store(database_url)
    vm = new_vm()
    save(first, vm)
    mine, theirs = first.load(Vm, vm.id), second.load(Vm, vm.id)
    mine.run(CAUSE)
    theirs.lock_image(CAUSE)
    save(first, mine)
    with pytest.raises(ConcurrencyError, match=str(vm.id)):
        save(second, theirs)
    assert second.load(Vm, vm.id).state.value == "Up"


def test_moved_names_the_aggregates_stored_past_the_version_given(store: EventStore) -> None:
    vm, command, unknown = new_vm(), new_command(), uuid4()
    save(store, vm, command)
    command.activate(CAUSE, None)
    save(store, command)

    assert store.moved({vm.id: 1, command.id: 1, unknown: 0}) == [command.id]
    assert store.moved({vm.id: 0, command.id: 2}) == [vm.id]
    assert store.moved({}) == []


def test_what_a_store_appended_is_given_back_only_as_a_run_without_gaps(
    database_url: str, store: EventStore
) -> None:
    """Events another writer stored in between are not this store's to give: they are read."""
    mine = save(store, new_command())
    theirs = save(open_event_store(database_url), new_command())
    later = save(store, new_vm())

    assert [r.position for r in store.appended.after(mine[0] - 1, 100)] == mine
    assert store.appended.after(mine[-1], 100) == []
    assert [r.position for r in store.appended.after(theirs[-1], 1)] == later[:1]
    assert store.appended.after(mine[0] - 1, 100) == []  # forgotten once read past


def test_loading_the_wrong_type_or_an_unknown_id_is_a_clear_error(store: EventStore) -> None:
    vm = new_vm()
    save(store, vm)
    with pytest.raises(WrongAggregateTypeError, match=f"{vm.id} is a Vm, not a Command"):
        store.load(Command, vm.id)
    missing = uuid4()
    with pytest.raises(AggregateNotFoundError, match=f"Command {missing} not found"):
        store.load(Command, missing)


def test_a_topic_that_is_not_a_tasktrail_event_is_never_imported(store: EventStore) -> None:
    """A stored topic names a class only through the allow-list; nothing is imported by name."""
    store.recorder.insert_events(
        [StoredEvent(uuid4(), 1, "this:x", b"{}"), StoredEvent(uuid4(), 1, "os:system", b"{}")]
    )
    with pytest.raises(UnknownTopicError, match="'this:x' is not a tasktrail event"):
        store.read(0, 10)


class Light(StrEnum):
    OFF = "OFF"
    ON = "ON"


class Lamp(StateMachineAggregate):
    """A test-only aggregate whose creation event changed shape: v1 had ``label``, v2 ``name``."""

    TABLE = TransitionTable(
        "Lamp", Light, [Light.OFF], [Row("switch_on", (Light.OFF,), Light.ON, "SwitchedOn", "test")]
    )
    name: str

    class Created(StateMachineAggregate.Created):
        class_version: ClassVar[int] = 2
        name: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["name"] = state.pop("label").title()

    @event(Created)
    def __init__(self, meta: EventMeta, id: UUID, name: str) -> None:
        self.name = name

    @event("SwitchedOn")
    def switch_on(self, meta: EventMeta) -> None:
        pass


def test_an_older_stored_event_is_upcast_on_read(store: EventStore) -> None:
    store.mapper.topics = {  # type: ignore[attr-defined]
        **EVENT_TOPICS,
        "Lamp.Created": Lamp.Created,
        "Lamp.SwitchedOn": Lamp.SwitchedOn,
    }
    lamp_id = uuid4()
    v1 = {
        "timestamp": "2026-01-01T00:00:00Z",
        "trigger": "create",
        "from_state": None,
        "to_state": "OFF",
        "meta": {"correlation_id": "c", "user_id": "u", "causation_id": None},
        "label": "desk lamp",
    }
    store.recorder.insert_events([StoredEvent(lamp_id, 1, "Lamp.Created", json.dumps(v1).encode())])
    lamp = store.load(Lamp, lamp_id)
    assert lamp.name == "Desk Lamp"
    lamp.switch_on(CAUSE)
    save(store, lamp)
    stored = store.recorder.select_events(lamp_id)
    assert json.loads(stored[0].state)["label"] == "desk lamp"
    assert store.load(Lamp, lamp_id).state is Light.ON


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "unsupported database 'mysql'"),
        ("not a url", "bad database URL 'not a url'"),
    ],
)
def test_a_bad_url_is_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(BadDatabaseUrlError, match=message):
        open_event_store(url)


def test_a_commit_larger_than_a_driver_batch_keeps_its_positions_in_order(
    database_url: str, store: EventStore
) -> None:
    """One INSERT carries at most a few thousand rows (SQLite: 32,766 parameters); the batches
    of a larger commit still take consecutive positions in the order of its events."""
    first = save(store, new_command())[-1] + 1
    streams = [uuid4() for _ in range(3)]
    events = [
        StoredEvent(streams[i % 3], i // 3 + 1, "Vm.Renamed", str(i).encode()) for i in range(9_000)
    ]

    positions = store.recorder.insert_events(events)

    assert positions == list(range(first, first + len(events)))
    stored = store.recorder.select_notifications(first, len(events) + 1)
    assert [n.state for n in stored] == [e.state for e in events]
    database = database_engine(database_url)
    with database.connect() as connection:
        assert check(connection) == (first - 1 + len(events), None)
    database.dispose()
