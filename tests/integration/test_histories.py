"""Recorded histories (tests/histories/*.json) replay through current code and projections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.model.command.aggregate import Command
from domain.state_machine import Created
from projections import queries
from projections.read_model import ReadModel, verify
from runners.database import open_event_store
from runners.diagrams import AGGREGATES

HISTORIES = Path(__file__).resolve().parent.parent / "histories"


def load(name: str) -> dict[str, Any]:
    return json.loads((HISTORIES / f"{name}.v1.json").read_text())


def imported(url: str, body: dict[str, Any]) -> Any:
    store = open_event_store(url)
    store.recorder.insert_events(
        [
            StoredEvent(
                UUID(e["originator_id"]), e["originator_version"], e["topic"], e["state"].encode()
            )
            for e in body["events"]
        ]
    )
    return store


@pytest.mark.parametrize(
    ("name", "job_status"),
    [
        ("remove_vm_success", "FINISHED"),
        ("remove_vm_storage_failure", "FAILED"),
    ],
)
def test_a_golden_history_replays_to_its_recorded_states_and_rows(
    database_url: str, name: str, job_status: str
) -> None:
    body = load(name)
    store = imported(database_url, body)

    states = {key: store.load_any(UUID(key)).state.value for key in body["final_states"]}
    assert states == body["final_states"]
    model = ReadModel(store)
    model.create()
    model.catch_up()
    root = store.load(Command, UUID(body["root_command_id"]))
    assert root.job_id is not None
    assert queries.job(model, root.job_id)["status"] == job_status
    assert queries.tasks(model) == []
    assert queries.locks(model) == []
    assert verify(store) == []


def test_every_event_type_of_every_aggregate_is_recorded_and_still_decodes(tmp_path: Path) -> None:
    body = load("event_types")
    store = imported(f"sqlite:///{tmp_path / 'types.db'}", body)
    recorded = {e["topic"] for e in body["events"]}
    expected = set()
    for cls in AGGREGATES:
        expected |= {get_topic(getattr(cls, row.event)) for row in cls.TABLE.rows}
        expected |= {
            get_topic(v)
            for v in vars(cls).values()
            if isinstance(v, type) and issubclass(v, Created)
        }
    assert expected <= recorded
    decoded = [
        store.mapper.to_domain_event(n) for n in store.recorder.select_notifications(1, 10_000)
    ]
    assert {get_topic(type(e)) for e in decoded} == recorded
