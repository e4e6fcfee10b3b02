"""Short id prefixes, as git abbreviates commits: shown short, accepted back when unique.

The ids a prefix may name are every id the event index knows (``tt_event_entity``: each
aggregate, and every id an event's payload names), so a prefix shown by one command is unique
for every other. A prefix is a range of ids (``ab12`` is ``ab120000-…`` to ``ab12ffff-…``),
which both databases answer from the primary key's index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.projections.read_model import ReadModel

SHORTEST = 8
"""Digits shown at least (the first group of a UUID); more where two known ids share them."""
FEWEST_ACCEPTED = 4
"""Digits a typed prefix needs at least, as git asks for."""
WHOLE = 32
"""Hex digits of a whole id."""
_HEX = re.compile(r"[0-9a-f]+")
_CHUNK = 200


class IdPrefixError(TasktrailError):
    """A typed id that names no known id, or more than one."""


def resolve(model: ReadModel, typed: str) -> UUID:
    """The one known id ``typed`` (a whole id, or a prefix of one) names."""
    digits = typed.strip().lower().replace("-", "")
    if not _HEX.fullmatch(digits) or len(digits) > WHOLE:
        raise IdPrefixError(f"{typed!r} is not an id or an id prefix (hex digits)")
    if len(digits) == WHOLE:
        return UUID(digits)
    if len(digits) < FEWEST_ACCEPTED:
        raise IdPrefixError(f"id prefix {typed!r} is too short: give {FEWEST_ACCEPTED} digits")
    found = _known(model, [_span(digits)], limit=6)
    if not found:
        raise IdPrefixError(f"no id starts with {typed!r}")
    if len(found) > 1:
        shown = ", ".join(str(x)[:13] for x in found[:5])
        raise IdPrefixError(f"id prefix {typed!r} is ambiguous: it starts {shown}…")
    return found[0]


def shortest_unique(model: ReadModel, ids: Iterable[UUID]) -> dict[UUID, int]:
    """For each id, how many digits tell it apart from every other known id (at least 8)."""
    wanted = sorted(set(ids))
    lengths = dict.fromkeys(wanted, SHORTEST)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        near = _known(model, [_span(x.hex[:SHORTEST]) for x in chunk])
        for x in chunk:
            lengths[x] = max([SHORTEST, *(_shared(x, y) + 1 for y in near if y != x)])
    return lengths


def _shared(one: UUID, other: UUID) -> int:
    """How many leading hex digits two ids have in common."""
    a, b = one.hex, other.hex
    return next((i for i in range(32) if a[i] != b[i]), 32)


def _span(digits: str) -> tuple[UUID, UUID]:
    return UUID(digits.ljust(WHOLE, "0")), UUID(digits.ljust(WHOLE, "f"))


def _known(
    model: ReadModel, spans: list[tuple[UUID, UUID]], limit: int | None = None
) -> list[UUID]:
    entity = model.tables.event_entity.c.entity_id
    query = (
        sa.select(entity)
        .distinct()
        .where(sa.or_(*(entity.between(low, high) for low, high in spans)))
        .order_by(entity)
        .limit(limit)
    )
    with model.engine.connect() as connection:
        return [UUID(str(x)) for x in connection.execute(query).scalars()]
