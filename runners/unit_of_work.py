"""The unit of work: each aggregate loaded once, changed, and saved with the others or not.

Aggregates come from the cache when it has them (else from the store, once) and are copied,
so a decision that fails or is undone never touches what others see. ``commit`` appends every
pending event in one transaction, in the order the events happened, then puts the changed
aggregates back into the cache and fires the notices. A savepoint undoes, in place, what
happened after it, by replaying each changed aggregate's earlier pending events onto its
loaded state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import copy
from typing import NamedTuple, TypeVar, cast
from uuid import UUID

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    WrongAggregateTypeError,
)
from tasktrail.domain.model.events import sequence_mark
from tasktrail.domain.services.ports import EngineNotice
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.transient import retryable

A = TypeVar("A", bound=StateMachineAggregate)


class Mark(NamedTuple):
    """Where a savepoint began: aggregates seen, the event sequence, notices announced."""

    seen: int
    sequence: int
    notices: int


def _sequence(event: object) -> int:
    return cast(StateMachineAggregate.Event, event).sequence


class UnitOfWork:
    def __init__(
        self,
        store: EventStore,
        cache: AggregateCache,
        notify: Callable[[EngineNotice], None] | None = None,
    ) -> None:
        self.store = store
        self.cache = cache
        self.notify = notify
        self._working: dict[UUID, StateMachineAggregate] = {}
        self._loaded: dict[UUID, StateMachineAggregate | None] = {}
        """What each aggregate was when this unit of work first saw it (None: new here)."""
        self._notices: list[EngineNotice] = []
        self.positions: list[int] = []
        """The positions of the events the last commit stored."""
        self._reads: list[UUID] = []
        """Every aggregate asked for or added, in order; ``_marks``: where each open
        savepoint began, so ``stale`` asks only about what the current decision read."""
        self._marks: list[int] = []
        self._stale: set[UUID] = set()
        """Found stale: never put back into the cache by ``commit``."""

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        self._reads.append(aggregate_id)
        found = self._working.get(aggregate_id)
        if found is None:
            found = self._load(cls, aggregate_id)
        if not isinstance(found, cls):
            raise WrongAggregateTypeError(aggregate_id, cls.__name__, type(found).__name__)
        return found

    def _load(self, cls: type[A], aggregate_id: UUID) -> StateMachineAggregate:
        base = self.cache.get(aggregate_id)
        if base is None:
            with retryable(f"load {cls.__name__} {aggregate_id}"):
                base = self.store.load(cls, aggregate_id)
            self.cache.put(base)
        self._loaded[aggregate_id] = base
        working = self._working[aggregate_id] = copy(base)
        return working

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self.get(cls, aggregate_id)
        except AggregateNotFoundError:
            return None

    def add(self, *aggregates: StateMachineAggregate) -> None:
        for aggregate in aggregates:
            self._reads.append(aggregate.id)
            self._working[aggregate.id] = aggregate
            self._loaded.setdefault(aggregate.id, None)

    def announce(self, *notices: EngineNotice) -> None:
        self._notices.extend(notices)

    def stale(self, *aggregate_ids: UUID) -> list[UUID]:
        """Asks the store about those named, else about what was read since the innermost
        open savepoint began (one decision's reads, not the whole round's, which other
        engines' writes always make partly stale). The stale ones leave the cache."""
        since = self._marks[-1] if self._marks else 0
        asked = aggregate_ids or tuple(dict.fromkeys(self._reads[since:]))
        moved = [i for i in asked if i in self._loaded and self._moved(i)]
        self._stale.update(moved)
        self.cache.evict(moved)
        return moved

    def _moved(self, aggregate_id: UUID) -> bool:
        loaded = self._loaded[aggregate_id]
        with retryable(f"read the version of {aggregate_id}"):
            return self.store.moved_past(aggregate_id, loaded.version if loaded else 0)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undoes, on an exception, only what happened inside the block.

        Entering costs nothing that grows with the aggregates already here (a round decides
        hundreds of items, each in a savepoint): the bookmark is the count of aggregates seen
        and an event sequence number, and only the undo looks for what changed after it.
        """
        mark = Mark(len(self._working), sequence_mark(), len(self._notices))
        self._marks.append(len(self._reads))
        try:
            yield
        except BaseException:
            self._roll_back(mark)
            raise
        finally:
            self._marks.pop()

    def _roll_back(self, mark: Mark) -> None:
        for aggregate_id in list(self._working)[mark.seen :]:
            del self._working[aggregate_id]
            if self._loaded.get(aggregate_id) is None:
                self._loaded.pop(aggregate_id, None)
        for aggregate_id, working in self._working.items():
            pending = working.pending_events
            kept = [e for e in pending if _sequence(e) < mark.sequence]
            if len(kept) != len(pending):
                self._restore(working, self._loaded[aggregate_id], len(kept))
        del self._notices[mark.notices :]

    @staticmethod
    def _restore(
        working: StateMachineAggregate, loaded: StateMachineAggregate | None, pending: int
    ) -> None:
        """Puts ``working`` back as it was with only its first ``pending`` events applied."""
        kept = list(working.pending_events[:pending])
        rebuilt = copy(loaded) if loaded is not None else None
        for event in kept:
            rebuilt = event.mutate(rebuilt)
        assert rebuilt is not None
        working.__dict__.clear()
        working.__dict__.update(rebuilt.__dict__)
        working.__dict__["_pending_events"] = kept

    @property
    def pending(self) -> list[StateMachineAggregate.Event]:
        """Every event not yet saved, in the order they happened."""
        events = [
            cast(StateMachineAggregate.Event, e)
            for a in self._working.values()
            for e in a.pending_events
        ]
        return sorted(events, key=lambda e: e.sequence)

    @property
    def touched(self) -> list[UUID]:
        return list(self._working)

    def commit(self) -> int:
        """Saves every pending event; returns the last position stored (0 if none)."""
        events = self.pending
        try:
            with retryable("save"):
                self.positions = self.store.append(events)
        except ConcurrencyError:
            self.cache.evict(self._working)
            raise
        for aggregate in self._working.values():
            aggregate.collect_events()
            if aggregate.id not in self._stale:
                self.cache.put(aggregate)
        self._fire()
        return self.positions[-1] if self.positions else 0

    def _fire(self) -> None:
        notices, self._notices = self._notices, []
        if self.notify is not None:
            for notice in notices:
                self.notify(notice)
