"""Re-records the fixtures: ``python -m tests.histories.record`` (only when event shapes change
on purpose; old fixtures must keep replaying, through upcasters if need be)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.state_machine import StateMachineAggregate
from domain.store import EventStore
from runners.diagrams import AGGREGATES
from tests.scenario import Scenario
from tests.unit.test_state_machines import CAUSE, creation_event, fire, payload

HERE = Path(__file__).resolve().parent


def stored(store: EventStore) -> list[dict[str, Any]]:
    return [
        {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": n.state.decode(),
        }
        for n in store.recorder.select_notifications(1, 1_000_000)
    ]


def final_states(store: EventStore) -> dict[str, str]:
    ids = {n.originator_id for n in store.recorder.select_notifications(1, 1_000_000)}
    return {str(i): store.load_any(i).state.value for i in sorted(ids, key=str)}


def golden(fail: bool) -> dict[str, Any]:
    world = Scenario("sqlite:///:memory:")
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=3)
    if fail:
        world.spm.fail_delete.add(disk_ids[1])  # type: ignore[attr-defined]
    root = world.remove_vm(vm_id).command_id
    world.drive()
    return {
        "root_command_id": str(root),
        "events": stored(world.store),
        "final_states": final_states(world.store),
    }


def every_event_type() -> dict[str, Any]:
    """One aggregate per type walked through every row of its table, as stored."""
    world = Scenario("sqlite:///:memory:")
    for cls in AGGREGATES:
        for row in cls.TABLE.rows:
            aggregate = _created(cls)
            aggregate.state = row.sources[0]
            fire(aggregate, row.trigger)
            world.store.save_all(aggregate)
    return {"events": stored(world.store)}


def _created(cls: type[StateMachineAggregate]) -> StateMachineAggregate:
    event_class = creation_event(cls)
    return cls._create(event_class, CAUSE, cls.TABLE.initial[0], **payload(event_class))


def main() -> None:
    for name, body in (
        ("remove_vm_success", golden(False)),
        ("remove_vm_storage_failure", golden(True)),
        ("event_types", every_event_type()),
    ):
        (HERE / f"{name}.v1.json").write_text(json.dumps(body, indent=1) + "\n")


if __name__ == "__main__":
    main()
