"""A tamper-evident event log: every stored event carries a digest chained to the one before.

The digest of the event at log position ``p`` is SHA-256 over the digest of the event stored
before it, ``p``, and the event's stream id, version, topic and state. It is written in the
transaction that stores the event (the recorder takes the events table's lock first on
PostgreSQL, and SQLite writes one at a time, so "the event before" is well defined). Editing,
deleting, inserting or reordering a stored event breaks the chain at that event; ``check``
names the first event where it breaks. The chain proves integrity against edits made beside
tasktrail, not against someone who rewrites the whole chain from the edit on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent
from sqlalchemy.orm import Session

from tasktrail.runners.event_insert import BulkInsertRecorder
from tasktrail.runners.store_tables import DIGESTS, EVENTS

GENESIS = "0" * 64
"""The digest "before" the first event."""


def link(previous: str, position: int, event: StoredEvent) -> str:
    """The digest of ``event`` at ``position``, after an event whose digest is ``previous``."""
    chained = hashlib.sha256(previous.encode())
    chained.update(f"|{position}|{event.originator_id}|{event.originator_version}|".encode())
    chained.update(f"{len(event.topic)}:{event.topic}|".encode())
    chained.update(event.state)
    return chained.hexdigest()


def digest_rows(
    previous: str, positions: Sequence[int], events: Sequence[StoredEvent]
) -> list[dict[str, Any]]:
    """The digest rows of ``events`` stored at ``positions``, chained on from ``previous``."""
    rows = []
    for position, event in zip(positions, events, strict=True):
        previous = link(previous, position, event)
        rows.append({"position": position, "digest": previous})
    return rows


class ChainedRecorder(BulkInsertRecorder):
    """The event store's recorder, adding each event's digest in the same transaction.

    The last link this process saw committed is kept: when the next events follow straight on
    from it (nobody stored anything in between), the previous digest is not read again.
    """

    _committed: tuple[int, str] | None = None
    """The position and digest of the last event this recorder stored and saw committed."""

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        positions = super()._insert_stored_events(session, stored_events, **kwargs)
        if positions:
            rows = digest_rows(self._previous(session, positions[0]), positions, stored_events)
            session.execute(DIGESTS.insert(), rows)
            last = (positions[-1], rows[-1]["digest"])
            sa.event.listen(session, "after_commit", lambda _: self._keep(last), once=True)
        return positions

    def _previous(self, session: Session, first: int) -> str:
        committed = self._committed
        if committed is not None and committed[0] == first - 1:
            return committed[1]
        last = sa.select(DIGESTS.c.digest).order_by(DIGESTS.c.position.desc()).limit(1)
        return session.execute(last).scalar() or GENESIS

    def _keep(self, link: tuple[int, str]) -> None:
        self._committed = link


@dataclass(frozen=True)
class Break:
    """Where the chain (or a stream's versions) breaks: the first event that is not as stored."""

    position: int
    what: str

    def __str__(self) -> str:
        return f"event at position {self.position}: {self.what}"


@dataclass(frozen=True)
class _Row:
    position: int
    event: StoredEvent | None
    digest: str | None


def check(connection: sa.Connection, batch: int = 1000) -> tuple[int, Break | None]:
    """Walks the whole log; returns how many events it checked and the first break, if any."""
    previous, checked = GENESIS, 0
    versions: dict[UUID | str, int] = {}
    for row in _rows(connection, batch):
        found = _break(row, previous, versions)
        if found is not None:
            return checked, found
        previous, checked = row.digest or GENESIS, checked + 1
    return checked, None


def _break(row: _Row, previous: str, versions: dict[UUID | str, int]) -> Break | None:
    if row.event is None:
        return Break(row.position, "missing (deleted from the log)")
    event = row.event
    where = f"{event.topic} of {event.originator_id} v{event.originator_version}"
    if row.digest is None:
        return Break(row.position, f"{where} was inserted (it has no digest)")
    if link(previous, row.position, event) != row.digest:
        return Break(row.position, f"{where} was altered, or an event before it removed or moved")
    expected = versions.get(event.originator_id, 0) + 1
    if event.originator_version != expected:
        return Break(row.position, f"{where}: version {expected} expected")
    versions[event.originator_id] = expected
    return None


def _rows(connection: sa.Connection, batch: int) -> Iterator[_Row]:
    """Every position that holds an event or a digest, in order, with what it holds."""
    after: int | None = 0
    while after is not None:
        page, after = _page(connection, after, batch)
        yield from page


def _page(connection: sa.Connection, after: int, batch: int) -> tuple[list[_Row], int | None]:
    """The rows after ``after`` up to where both tables were read; where to go on (None: end)."""
    events = {
        r.id: StoredEvent(r.originator_id, r.originator_version, r.topic, _bytes(r.state))
        for r in connection.execute(
            sa.select(EVENTS).where(EVENTS.c.id > after).order_by(EVENTS.c.id).limit(batch)
        )
    }
    query = (
        sa.select(DIGESTS.c.position, DIGESTS.c.digest)
        .where(DIGESTS.c.position > after)
        .order_by(DIGESTS.c.position)
        .limit(batch)
    )
    digests: dict[int, str] = dict(connection.execute(query).tuples().all())
    full = [max(found) for found in (events, digests) if len(found) == batch]
    upto = min(full) if full else None
    positions = sorted(p for p in events.keys() | digests.keys() if upto is None or p <= upto)
    rows = [_Row(p, events.get(p), digests.get(p)) for p in positions]
    return rows, upto


def _bytes(state: bytes | memoryview | str) -> bytes:
    """A state as stored; an edit made with SQL text functions may have left it as text."""
    return state.encode() if isinstance(state, str) else bytes(state)
