"""Events through the real store: round trips, versions, atomic saves, concurrency, upcasting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.model.async_task.aggregate import AsyncTask
from domain.model.async_task.machine import AsyncTaskResult, AsyncTaskStatus, AsyncTaskType
from runners.clocks import ManualClock
from domain.model.command.aggregate import Command, EntitySnapshot
from domain.model.errors import AggregateNotFoundError, ConcurrencyError, WrongAggregateTypeError
from domain.model.events import Cause
from domain.model.inventory.vm import Vm
from domain.state_machine import Created, Row, StateMachineAggregate, TransitionTable
from runners.database import BadDatabaseUrlError, open_event_store

CLOCK = ManualClock(datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC))
CAUSE = Cause.of(CLOCK, user_id="admin", correlation_id="corr-1").because_of(
    UUID("00000000-0000-4000-8000-000000000001")
)


def test_events_round_trip_with_payloads_and_metadata(database_url: str) -> None:
    store = open_event_store(database_url)
    child = uuid4()
    command = Command.create(
        CAUSE, action_type="RemoveVm", parameters={"vm_id": str(uuid4()), "n": 3}
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
    command.add_children(CAUSE, [child])
    written = list(command.pending_events)
    store.save_all(command)

    read = list(store.events.get(command.id))

    assert [(type(e), e.model_dump()) for e in read] == [(type(e), e.model_dump()) for e in written]
    assert read[0].timestamp == CLOCK.now()
    assert read[0].timestamp.tzinfo is not None
    assert read[0].meta.causation_id == UUID("00000000-0000-4000-8000-000000000001")
    assert read[2].snapshot.state == {"status": "Down", "disks": [1, 2]}
    assert read[3].child_ids == [child]
    again = store.load(Command, command.id)
    assert (again.state, again.child_ids, again.parameters) == (
        command.state,
        [child],
        command.parameters,
    )


def test_enums_round_trip_as_enums(database_url: str) -> None:
    store = open_event_store(database_url)
    task = AsyncTask.create(
        CAUSE,
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
    store.save_all(task)
    again = store.load(AsyncTask, task.id)
    assert again.task_type is AsyncTaskType.DELETE_IMAGE
    assert again.status is AsyncTaskStatus.RUNNING


def test_an_aggregate_can_be_read_as_it_was_after_any_event(database_url: str) -> None:
    store = open_event_store(database_url)
    command = Command.create(CAUSE, action_type="RemoveVm", parameters={})
    command.activate(CAUSE, None)
    command.fail_execution(CAUSE, ["boom"])
    store.save_all(command)
    assert [store.load(Command, command.id, version=v).state.value for v in (1, 2, 3)] == [
        "NOT_STARTED",
        "ACTIVE",
        "EXECUTION_FAILED",
    ]


def test_a_save_of_several_aggregates_stores_all_or_nothing(database_url: str) -> None:
    store = open_event_store(database_url)
    vm = Vm.create(CAUSE, name="a", storage_pool_id=uuid4(), disk_ids=[])
    store.save_all(vm)
    stale = store.load(Vm, vm.id)
    fresh = store.load(Vm, vm.id)
    fresh.run(CAUSE)
    store.save_all(fresh)
    newcomer = Command.create(CAUSE, action_type="RemoveVm", parameters={})
    stale.begin_backup(CAUSE)

    with pytest.raises(ConcurrencyError) as conflict:
        store.save_all(newcomer, stale)

    assert not store.exists(newcomer.id)
    assert vm.id in conflict.value.aggregate_ids
    assert "nothing of this save was stored" in str(conflict.value)
    assert store.load(Vm, vm.id).version == 2


def test_two_writers_of_one_aggregate_one_wins(database_url: str) -> None:
    first, second = open_event_store(database_url), open_event_store(database_url)
    vm = Vm.create(CAUSE, name="a", storage_pool_id=uuid4(), disk_ids=[])
    first.save_all(vm)
    mine, theirs = first.load(Vm, vm.id), second.load(Vm, vm.id)
    mine.run(CAUSE)
    theirs.lock_image(CAUSE)
    first.save_all(mine)
    with pytest.raises(ConcurrencyError, match=str(vm.id)):
        second.save_all(theirs)
    assert second.load(Vm, vm.id).state.value == "Up"


def test_loading_the_wrong_type_or_an_unknown_id_is_a_clear_error(database_url: str) -> None:
    store = open_event_store(database_url)
    vm = Vm.create(CAUSE, name="a", storage_pool_id=uuid4(), disk_ids=[])
    store.save_all(vm)
    with pytest.raises(WrongAggregateTypeError, match=f"{vm.id} is a Vm, not a Command"):
        store.load(Command, vm.id)
    missing = uuid4()
    with pytest.raises(AggregateNotFoundError, match=f"Command {missing} not found"):
        store.load(Command, missing)


class Light(StrEnum):
    OFF = "OFF"
    ON = "ON"


class Lamp(StateMachineAggregate):
    """A test-only aggregate whose creation event changed shape: v1 had ``label``, v2 ``name``."""

    TABLE = TransitionTable(
        "Lamp", Light, [Light.OFF], [Row("switch_on", (Light.OFF,), Light.ON, "SwitchedOn", "test")]
    )
    name: str

    class Created(Created):
        class_version: ClassVar[int] = 2
        name: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["name"] = state.pop("label").title()

        def apply(self, aggregate: Lamp) -> None:
            aggregate.name = self.name


def test_an_older_stored_event_is_upcast_on_read(database_url: str) -> None:
    store = open_event_store(database_url)
    lamp_id = uuid4()
    v1 = {
        "timestamp": "2026-01-01T00:00:00Z",
        "trigger": "create",
        "from_state": None,
        "to_state": "OFF",
        "meta": {"correlation_id": "c", "user_id": "u", "causation_id": None},
        "label": "desk lamp",
    }
    store.recorder.insert_events(
        [
            StoredEvent(
                originator_id=lamp_id,
                originator_version=1,
                topic=get_topic(Lamp.Created),
                state=json.dumps(v1).encode(),
            )
        ]
    )
    lamp = store.load(Lamp, lamp_id)
    assert lamp.name == "Desk Lamp"
    lamp._transition("switch_on", CAUSE)
    store.save_all(lamp)
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
