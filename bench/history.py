"""Large histories made fast: a real RemoveVm history copied under fresh ids, consistently."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from eventsourcing.persistence import StoredEvent

from bench.flows import Flows
from domain.inventory.vm import Vm
from domain.store import EventStore

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def template(url: str) -> tuple[EventStore, list[StoredEvent]]:
    """One successful and one failed RemoveVm-3, with their pool and VMs, as stored."""
    flows = Flows(url)
    vms = flows.vms(2)
    flows.spm.fail_delete.add(UUID(_disk_of(flows, vms[1])))  # type: ignore[attr-defined]
    flows.remove(vms)
    notifications = flows.store.recorder.select_notifications(1, 100_000)
    events = [
        StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
    ]
    return flows.store, events


def _disk_of(flows: Flows, vm_id: str) -> str:
    return str(flows.store.load(Vm, UUID(vm_id)).disk_ids[0])


def grow(store: EventStore, events: list[StoredEvent], total: int) -> int:
    """Appends copies of ``events`` (every UUID remapped per copy) until ``total`` are stored."""
    stored = store.recorder.max_notification_id() or 0
    copy = 0
    while stored < total:
        copy += 1
        batch = [_remapped(e, copy) for e in events][: total - stored]
        store.recorder.insert_events(batch)
        stored += len(batch)
    return stored


def _remapped(event: StoredEvent, copy: int) -> StoredEvent:
    namespace = UUID(int=copy)

    def swap(match: re.Match[bytes]) -> bytes:
        return str(uuid5(namespace, match.group().decode())).encode()

    return StoredEvent(
        uuid5(namespace, str(event.originator_id)),
        event.originator_version,
        event.topic,
        _UUID.sub(swap, event.state),
    )
