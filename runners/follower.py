"""The one reader of the event log: each batch is read once, projected, then handed on.

A batch of stored events is decoded once; the read model's rows and its tracking position
commit in one transaction (exactly once across processes), the aggregate cache is brought up
to date with it, and the same batch goes to the engine's reactions.
"""

from __future__ import annotations

from tasktrail.projections.event_log import Recorded
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.event_store import EventStore


class Follower:
    def __init__(
        self,
        store: EventStore,
        read_model: ReadModel,
        cache: AggregateCache,
        batch_size: int = 500,
    ) -> None:
        self.store = store
        self.read_model = read_model
        self.cache = cache
        self.batch_size = batch_size
        self.position = 0
        """The last position this process has read (its reactions and cache are up to it)."""

    def start(self) -> None:
        """Catches the read model up and starts following from where it stands."""
        self.read_model.create()
        self.read_model.catch_up(self.batch_size)
        self.position = self.read_model.position()

    def follow(self) -> list[Recorded]:
        """Every event stored since the last call, in batches; the read model applied first.

        If applying fails, nothing is handed on and the same events are read again next time.
        """
        read: list[Recorded] = []
        while True:
            batch = self.store.read(self.position, self.batch_size)
            if not batch:
                return read
            self.read_model.apply(self.position, batch)
            self.cache.observed(batch)
            self.position = batch[-1].position
            read += batch
            if len(batch) < self.batch_size:
                return read
