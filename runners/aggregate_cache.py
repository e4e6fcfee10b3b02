"""The aggregates this process has seen lately, kept current by its writes and the log.

Without it every decision reloads the aggregates it touches by replaying their streams (a
RemoveVm with 3 disks made about 100 such loads). With it, a unit of work copies what it needs
from here; a successful save puts the changed aggregates back (write-through), and the log
follower fast-forwards them with events other processes stored, or drops them when it cannot.
Objects in the cache are never changed in place, so threads may share them.

Bounded (least recently used goes first), so memory stays flat however much history passes.
``sync`` brings it up to the log's head on demand: a process that validates requests without
an engine loop of its own (a CLI, an API worker) must not judge by what it saw minutes ago.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from uuid import UUID

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.projections.event_log import Recorded

DEFAULT_SIZE = 2_000
"""Aggregates kept: the working set of a few hundred commands in flight (a RemoveVm-3 touches
about 25). At 20,000 the cache itself was what grew RSS between 300 and 3,000 commands."""
SYNC_BATCH = 500

ReadLog = Callable[[int, int], Sequence[Recorded]]


class AggregateCache:
    def __init__(self, size: int = DEFAULT_SIZE, position: int = 0) -> None:
        """``position``: the log's head when the cache starts; nothing before it matters, as
        whatever is cached later is loaded whole from the store."""
        self.size = size
        self.position = position
        """The log position whose events the cache has observed."""
        self._aggregates: OrderedDict[UUID, StateMachineAggregate] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, aggregate_id: UUID) -> StateMachineAggregate | None:
        """The cached aggregate (shared: copy it before changing it), or None."""
        with self._lock:
            found = self._aggregates.get(aggregate_id)
            if found is None:
                self.misses += 1
                return None
            self._aggregates.move_to_end(aggregate_id)
            self.hits += 1
            return found

    def put(self, aggregate: StateMachineAggregate) -> None:
        """Keeps ``aggregate`` unless a newer version is already cached."""
        with self._lock:
            cached = self._aggregates.get(aggregate.id)
            if cached is not None and cached.version > aggregate.version:
                return
            self._aggregates[aggregate.id] = aggregate
            self._aggregates.move_to_end(aggregate.id)
            while len(self._aggregates) > self.size:
                self._aggregates.popitem(last=False)

    def evict(self, aggregate_ids: Iterable[UUID]) -> None:
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._aggregates.pop(aggregate_id, None)

    def observe(self, event: StateMachineAggregate.Event) -> None:
        """An event from the log: applied to the cached aggregate, or the aggregate dropped."""
        with self._lock:
            cached = self._aggregates.get(event.originator_id)
            if cached is None or cached.version >= event.originator_version:
                return
            if cached.version + 1 != event.originator_version:
                del self._aggregates[event.originator_id]
                return
            moved = copy(cached)
            event.mutate(moved)
            self._aggregates[event.originator_id] = moved

    def observed(self, batch: Sequence[Recorded]) -> None:
        """A batch of the log (in order) the cache has seen; it moves the cache's position."""
        for recorded in batch:
            self.observe(recorded.event)
        if batch:
            with self._lock:
                self.position = max(self.position, batch[-1].position)

    def sync(self, read: ReadLog) -> None:
        """Observes everything stored since the cache's position (one query when nothing is)."""
        while True:
            batch = read(self.position, SYNC_BATCH)
            self.observed(batch)
            if len(batch) < SYNC_BATCH:
                return

    def clear(self) -> None:
        with self._lock:
            self._aggregates.clear()

    def __len__(self) -> int:
        return len(self._aggregates)
