"""The engine's memory of what is in flight, saved with the log position it was folded up to.

Without it a restarted engine folds the whole log again; with it, only what came after. Any
checkpoint is a valid starting point (following the log from it catches up), so engines
sharing a database may overwrite each other's; only a newer position replaces an older one.
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import TypeAdapter

from domain.framework.in_flight import InFlight

METADATA = sa.MetaData()
CHECKPOINTS = sa.Table(
    "engine_checkpoint",
    METADATA,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("in_flight", sa.Text, nullable=False),
)
_IN_FLIGHT = TypeAdapter(InFlight)


class Checkpoint:
    def __init__(self, engine: sa.Engine, name: str = "engine") -> None:
        self.engine = engine
        self.name = name
        METADATA.create_all(engine, checkfirst=True)

    def load(self) -> tuple[int, InFlight]:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(CHECKPOINTS).where(CHECKPOINTS.c.name == self.name)
            ).first()
        if row is None:
            return 0, InFlight()
        return row.position, _IN_FLIGHT.validate_json(row.in_flight)

    def save(self, position: int, in_flight: InFlight) -> None:
        body = _IN_FLIGHT.dump_json(in_flight).decode()
        with self.engine.begin() as connection:
            updated = connection.execute(
                CHECKPOINTS.update()
                .where(CHECKPOINTS.c.name == self.name, CHECKPOINTS.c.position < position)
                .values(position=position, in_flight=body)
            ).rowcount
            exists = connection.execute(
                sa.select(CHECKPOINTS.c.name).where(CHECKPOINTS.c.name == self.name)
            ).first()
            if not updated and exists is None:
                connection.execute(
                    CHECKPOINTS.insert().values(name=self.name, position=position, in_flight=body)
                )
