"""Every trigger of every machine from every state: one event if the table allows it, else none.

No database: aggregates record pending events, and replaying them through ``mutate`` must
rebuild the same state.
"""

from __future__ import annotations

import types
from enum import Enum
from typing import Any, Union, get_args, get_origin
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.errors import IllegalTransitionError
from tasktrail.domain.model.events import Cause, Transitioned
from tasktrail.domain.model.machine import CREATE
from tasktrail.domain.model.registry import AGGREGATES
from tasktrail.runners.clocks import ManualClock

CLOCK = ManualClock()
CAUSE = Cause.of(CLOCK, user_id="tester", correlation_id="corr-42")
_BASE_FIELDS = {*Transitioned.model_fields, "originator_topic"}


def sample(annotation: Any) -> Any:
    """A valid value of a payload field's type."""
    if get_origin(annotation) in (Union, types.UnionType):
        return sample(next(a for a in get_args(annotation) if a is not type(None)))
    if get_origin(annotation) in (list, tuple):
        return (sample(get_args(annotation)[0]),)
    if get_origin(annotation) is dict:
        return {"status": "Down"}
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation(**{n: sample(f.annotation) for n, f in annotation.model_fields.items()})
    return {UUID: uuid4(), str: "text", int: 1, bool: False, Any: "text"}[annotation]


def payload(event_class: type[BaseModel]) -> dict[str, Any]:
    return {
        name: sample(field.annotation)
        for name, field in event_class.model_fields.items()
        if name not in _BASE_FIELDS
    }


def creation_event(cls: type[StateMachineAggregate]) -> type[Any]:
    return next(
        v
        for v in vars(cls).values()
        if isinstance(v, type) and issubclass(v, StateMachineAggregate.Created)
    )


def created(cls: type[StateMachineAggregate], state: Any) -> StateMachineAggregate:
    event_class = creation_event(cls)
    return cls._create(event_class, id=uuid4(), meta=CAUSE, to_state=state, **payload(event_class))


def in_state(cls: type[StateMachineAggregate], state: Any) -> StateMachineAggregate:
    """An aggregate put in ``state`` by force: legality is a property of the table alone."""
    aggregate = created(cls, cls.TABLE.initial[0])
    aggregate.collect_events()
    aggregate.state = state
    return aggregate


def event_of(cls: type[StateMachineAggregate], trigger: str) -> type[BaseModel]:
    row = next(r for r in cls.TABLE.rows if r.trigger == trigger)
    found: type[BaseModel] = getattr(cls, row.event)
    return found


def fire(aggregate: StateMachineAggregate, trigger: str, **fields: Any) -> None:
    """Calls the aggregate's method for ``trigger`` with a valid payload (or ``fields``)."""
    values = fields or payload(event_of(type(aggregate), trigger))
    getattr(aggregate, trigger)(CAUSE, **values)


CASES = [
    pytest.param(cls, state, trigger, id=f"{cls.__name__}-{state.value}-{trigger}")
    for cls in AGGREGATES
    for state in cls.TABLE.states
    for trigger in cls.TABLE.triggers
]


@pytest.mark.parametrize(("cls", "state", "trigger"), CASES)
def test_a_trigger_records_one_event_where_the_table_allows_it_and_none_elsewhere(
    cls: type[StateMachineAggregate], state: Any, trigger: str
) -> None:
    aggregate = in_state(cls, state)
    allowed = {(t, s) for row in cls.TABLE.rows for s in row.sources for t in [row.trigger]}
    version = aggregate.version
    if (trigger, state) in allowed:
        fire(aggregate, trigger)
        [event] = aggregate.collect_events()
        row = next(r for r in cls.TABLE.rows if r.trigger == trigger and state in r.sources)
        assert (event.trigger, event.from_state, event.to_state) == (
            trigger,
            state.value,
            (row.dest or state).value,
        )
        assert type(event).__name__ == row.event
        assert event.meta.user_id == "tester"
        assert event.meta.correlation_id == "corr-42"
        assert event.timestamp == CLOCK.now()
        assert aggregate.version == version + 1
        assert aggregate.state is (row.dest or state)
    else:
        with pytest.raises(IllegalTransitionError) as refused:
            fire(aggregate, trigger)
        message = str(refused.value)
        assert cls.__name__ in message
        assert str(aggregate.id) in message
        assert state.value in message
        assert repr(trigger) in message
        assert aggregate.collect_events() == []
        assert (aggregate.version, aggregate.state) == (version, state)


@pytest.mark.parametrize("cls", AGGREGATES, ids=lambda c: c.__name__)
def test_creation_in_a_state_the_table_does_not_start_in_is_refused(
    cls: type[StateMachineAggregate],
) -> None:
    for state in set(cls.TABLE.states) - set(cls.TABLE.initial):
        with pytest.raises(IllegalTransitionError, match=CREATE):
            created(cls, state)


@pytest.mark.parametrize("cls", AGGREGATES, ids=lambda c: c.__name__)
def test_a_bad_payload_is_refused_before_any_event_exists(cls: type[StateMachineAggregate]) -> None:
    broken = {name: object() for name in payload(creation_event(cls))}
    with pytest.raises(ValueError, match="validation error"):
        cls._create(creation_event(cls), id=uuid4(), meta=CAUSE, **broken)
    typed = [r for r in cls.TABLE.rows if payload(getattr(cls, r.event))]
    for row in typed:
        aggregate = in_state(cls, row.sources[0])
        bad = {name: object() for name in payload(getattr(cls, row.event))}
        with pytest.raises(ValueError, match="validation error"):
            fire(aggregate, row.trigger, **bad)
        assert aggregate.collect_events() == []


def replayed(events: list[Any]) -> StateMachineAggregate:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert aggregate is not None
    return aggregate


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_walks_agree_with_the_table_and_replay_to_the_same_state(
    data: st.DataObject,
) -> None:
    cls = data.draw(st.sampled_from(AGGREGATES))
    aggregate = created(cls, cls.TABLE.initial[0])
    expected = aggregate.state
    for trigger in data.draw(st.lists(st.sampled_from(cls.TABLE.triggers), max_size=25)):
        dest = None if aggregate.deleted else cls.TABLE.destination(trigger, expected)
        if dest is None:
            with pytest.raises(IllegalTransitionError):
                fire(aggregate, trigger)
        else:
            fire(aggregate, trigger)
            expected = dest
        assert aggregate.state is expected
    events = aggregate.collect_events()
    rebuilt = replayed(events)
    assert (rebuilt.state, rebuilt.version, rebuilt.deleted) == (
        aggregate.state,
        aggregate.version,
        aggregate.deleted,
    )
    assert len(events) == aggregate.version


OVIRT_FACTS = [
    # (aggregate, from, trigger, to) as the oVirt reference (§2) codes them
    ("Command", "NOT_STARTED", "fail_validation", "ENDED_WITH_FAILURE"),
    ("Command", "NOT_STARTED", "activate", "ACTIVE"),
    ("Command", "ACTIVE", "fail_execution", "EXECUTION_FAILED"),
    ("Command", "EXECUTION_FAILED", "fail", "FAILED"),
    ("Command", "ACTIVE", "succeed", "SUCCEEDED"),
    ("Command", "SUCCEEDED", "end_successfully", "ENDED_SUCCESSFULLY"),
    ("Command", "FAILED", "end_with_failure", "ENDED_WITH_FAILURE"),
    ("Job", "STARTED", "finish", "FINISHED"),
    ("Job", "STARTED", "mark_unknown", "UNKNOWN"),
    ("Step", "UNKNOWN", "finish", "FINISHED"),
    ("AsyncTask", "Polling", "end", "Ended"),
    ("AsyncTask", "Ended", "attempt_end_action", "AttemptingEndAction"),
    ("AsyncTask", "AttemptingEndAction", "repoll", "Ended"),
    ("AsyncTask", "ClearFailed", "clear", "Cleared"),
    ("AsyncTask", "ClearFailed", "fail_clear", "ClearFailed"),
]
TERMINAL = [
    ("Command", "ENDED_SUCCESSFULLY"),
    ("Command", "ENDED_WITH_FAILURE"),
    ("Job", "FINISHED"),
    ("Job", "FAILED"),
    ("AsyncTask", "Cleared"),
    ("Step", "FINISHED"),
]
BY_NAME = {cls.__name__: cls for cls in AGGREGATES}


@pytest.mark.parametrize(("name", "source", "trigger", "dest"), OVIRT_FACTS)
def test_the_tables_encode_ovirts_transitions(
    name: str, source: str, trigger: str, dest: str
) -> None:
    table = BY_NAME[name].TABLE
    found = table.destination(trigger, table.states(source))
    assert found is not None
    assert found.value == dest


@pytest.mark.parametrize(("name", "state"), TERMINAL)
def test_ended_states_are_never_left(name: str, state: str) -> None:
    """Only housekeeping (auto-clear, cleanup's deletion) applies to an ended aggregate."""
    table = BY_NAME[name].TABLE
    source = table.states(state)
    allowed = [t for t in table.triggers if table.destination(t, source)]
    assert all(table.destination(t, source) is source for t in allowed)


@pytest.mark.parametrize("cls", AGGREGATES, ids=lambda c: c.__name__)
def test_every_row_is_a_method_of_its_aggregate_recording_the_rows_event(
    cls: type[StateMachineAggregate],
) -> None:
    for row in cls.TABLE.rows:
        aggregate = in_state(cls, row.sources[0])
        fire(aggregate, row.trigger)
        [event] = aggregate.collect_events()
        assert (type(event).__name__, type(event).TOPIC) == (
            row.event,
            f"{cls.__name__}.{row.event}",
        )


def test_an_aggregate_method_needs_a_cause_with_a_clock() -> None:
    command = in_state(AGGREGATES[0], AGGREGATES[0].TABLE.initial[0])
    plain = CAUSE.plain()
    with pytest.raises(TypeError, match="take a Cause"):
        command.mark_unknown(plain)  # type: ignore[attr-defined]
    assert command.collect_events() == []
