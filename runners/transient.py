"""Which database errors are transient: a back-end that did not answer, not a wrong decision.

A dropped or terminated connection, a database locked by another process, a full disk or an
exhausted pool pass: the work that met one is undone and tried again after a back-off, never
recorded as a command's failure. Everything else (a missing table, a bad URL, a bug) is not
classified here and keeps its own type. The classification is made where the runners meet the
database, so the domain only ever sees ``UnavailableError`` (a ``RetryableError``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
from eventsourcing import persistence

from tasktrail.domain.model.errors import UnavailableError

T = TypeVar("T")
log = logging.getLogger("tasktrail.database")

TRANSIENT: tuple[type[BaseException], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
    sa.exc.PendingRollbackError,
)
"""psycopg2 and sqlite3 raise OperationalError for a terminated backend, a closed connection,
``database is locked`` and a full disk (SQLSTATE 53100); the event store's library wraps them
in its own OperationalError and InterfaceError."""


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is a back-end that did not answer (UnavailableError included)."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (*TRANSIENT, UnavailableError))


@contextmanager
def retryable(what: str) -> Iterator[None]:
    """Raises a transient database error met inside as ``UnavailableError`` naming ``what``."""
    try:
        yield
    except Exception as error:
        if not is_transient(error):
            raise
        raise UnavailableError(f"could not {what}: {error}") from error


def patiently(
    what: str,
    work: Callable[[], T],
    *,
    pause: float = 0.05,
    cap: float = 2.0,
) -> T:
    """``work``'s result, however many transient errors it meets first: each is logged and
    ``work`` is tried again after a doubling pause (up to ``cap`` s), on a new connection (the
    pool drops one that failed). Any other error goes through at once."""
    while True:
        try:
            return work()
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("could not %s; trying again in %.2f s: %s", what, pause, error)
        time.sleep(pause)
        pause = min(pause * 2, cap)
