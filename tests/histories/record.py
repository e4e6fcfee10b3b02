"""Re-records the fixtures: ``python -m tests.histories.record`` (only when event shapes change
on purpose; old fixtures must keep replaying, through upcasters if need be).

Files are named by format: ``*.v1.json`` were recorded by version 0.1 (module-path topics) and
are kept as they are; ``*.v2.json`` are recorded by this code.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tasktrail.domain.model.registry import AGGREGATES
from tasktrail.runners.event_store import EventStore
from tests.scenario import Scenario
from tests.unit.test_state_machines import created, fire

HERE = Path(__file__).resolve().parent
FORMAT = "v2"


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


def golden(folder: Path, fail: bool) -> dict[str, Any]:
    world = Scenario(f"sqlite:///{folder / f'golden-{fail}.db'}")
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


def every_event_type(folder: Path) -> dict[str, Any]:
    """One aggregate per type walked through every row of its table, as stored."""
    world = Scenario(f"sqlite:///{folder / 'types.db'}")
    for cls in AGGREGATES:
        for row in cls.TABLE.rows:
            aggregate = created(cls, cls.TABLE.initial[0])
            aggregate.state = row.sources[0]
            fire(aggregate, row.trigger)
            world.save(aggregate)
    return {"events": stored(world.store)}


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for fixture, body in (
            ("remove_vm_success", golden(folder, False)),
            ("remove_vm_storage_failure", golden(folder, True)),
            ("event_types", every_event_type(folder)),
        ):
            (HERE / f"{fixture}.{FORMAT}.json").write_text(json.dumps(body, indent=1) + "\n")


if __name__ == "__main__":
    main()
