"""Recorded histories (tests/histories/*.json) replay through current code and projections.

Version 0.1's recordings (``v1``: module-path topics, creation events without a topic of their
aggregate) are kept unchanged and must still decode and replay to the states they recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from domain.model.command.aggregate import Command
from domain.model.registry import AGGREGATES, event_classes
from projections import queries
from projections.read_model import ReadModel, verify
from runners.database import database_engine, open_event_store
from runners.event_store import EventStore
from runners.schema import upgrade

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
FORMATS = ["v1", "v2"]


def load(name: str, version: str) -> dict[str, Any]:
    return json.loads((HISTORIES / f"{name}.{version}.json").read_text())


def imported(url: str, body: dict[str, Any]) -> tuple[EventStore, ReadModel]:
    database = database_engine(url)
    upgrade(database)
    store = open_event_store(url)
    store.recorder.insert_events(
        [
            StoredEvent(
                UUID(e["originator_id"]), e["originator_version"], e["topic"], e["state"].encode()
            )
            for e in body["events"]
        ]
    )
    model = ReadModel(database, store)
    model.create()
    return store, model


@pytest.mark.parametrize("version", FORMATS)
@pytest.mark.parametrize(
    ("name", "job_status"),
    [
        ("remove_vm_success", "FINISHED"),
        ("remove_vm_storage_failure", "FAILED"),
    ],
)
def test_a_golden_history_replays_to_its_recorded_states_and_rows(
    database_url: str, name: str, job_status: str, version: str
) -> None:
    body = load(name, version)
    store, model = imported(database_url, body)

    states = {key: store.load_any(UUID(key)).state.value for key in body["final_states"]}
    assert states == body["final_states"]
    model.catch_up()
    root = store.load(Command, UUID(body["root_command_id"]))
    assert root.job_id is not None
    assert queries.job(model, root.job_id)["status"] == job_status
    assert queries.tasks(model) == []
    assert queries.locks(model) == []
    assert verify(model.engine, store) == []


@pytest.mark.parametrize("version", FORMATS)
def test_every_event_type_of_every_aggregate_is_recorded_and_still_decodes(
    tmp_path: Path, version: str
) -> None:
    body = load("event_types", version)
    store, _ = imported(f"sqlite:///{tmp_path / 'types.db'}", body)
    decoded = {type(r.event) for r in store.read(0, 100_000)}
    expected = {cls for aggregate in AGGREGATES for cls in event_classes(aggregate).values()}
    assert decoded == expected
