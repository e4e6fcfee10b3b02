"""A failure seen from a stale view is a race another engine won, never the command's failure.

Engines decide from what they last read; another engine may have saved since. Most such
decisions lose at the save (optimistic concurrency), but an exception met on the way (a
transition the stale aggregate no longer allows, say) would otherwise be recorded as the
command's failure on aggregates that are current. So before anything records a failure from
an exception, the unit of work is asked whether what it read has moved: if so, the decision is
a lost race, undone and decided again from a fresh view (ConcurrencyError). The same question
is asked before a storage task is handed to the SPM, which a lost save cannot take back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tasktrail.domain.model.errors import ConcurrencyError

if TYPE_CHECKING:
    from uuid import UUID

    from tasktrail.domain.services.ports import UnitOfWork


def raise_if_raced(uow: UnitOfWork, *aggregate_ids: UUID) -> None:
    """ConcurrencyError when any of the aggregates named (default: those the current
    decision read, inside its savepoint) has moved.

    Called in an ``except`` block, the error met is kept as the ConcurrencyError's context.
    """
    moved = uow.stale(*aggregate_ids)
    if moved:
        raise ConcurrencyError(moved)
