"""Large histories made fast: real RemoveVm histories copied under fresh ids, consistently."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from eventsourcing.persistence import StoredEvent

from bench.flows import Flows
from bench.instant_spm import InstantSpm
from tasktrail.runners.event_store import EventStore

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def template(url: str) -> tuple[Flows, list[StoredEvent]]:
    """One successful and one failed RemoveVm-3, with their pool and VMs, as stored."""
    flows = Flows(url)
    vms = flows.vms(2)
    assert isinstance(flows.spm, InstantSpm)
    flows.spm.fail_delete.add(UUID(flows.disks[vms[1]][0]))
    flows.remove(vms)
    notifications = flows.store.recorder.select_notifications(1, 100_000)
    events = [
        StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
    ]
    return flows, events


def grow(store: EventStore, events: list[StoredEvent], total: int) -> int:
    """Appends copies of ``events`` (every UUID remapped per copy) until ``total`` are stored."""
    stored = store.head()
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
