"""Column types shared by oVirt's tables and tasktrail's own: UUIDs and times.

oVirt's ids are PostgreSQL ``uuid``; an operator compares them with the text form
(``where job_id = '30b31b75-2def-…'``). SQLAlchemy's own ``Uuid`` stores 32 hex digits on
SQLite, which such a query never matches, so on SQLite ids are kept in their canonical dashed,
lower-case text instead.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

TIME = sa.DateTime(timezone=True)
"""oVirt's ``timestamp with time zone``; SQLite keeps naive UTC (readers make it aware)."""


class Uuid(sa.types.TypeDecorator[UUID]):
    """``uuid`` on PostgreSQL; ``varchar(36)`` holding the dashed lower-case form elsewhere."""

    impl = sa.Uuid
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Uuid())
        return dialect.type_descriptor(sa.String(36))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return str(value if isinstance(value, UUID) else UUID(str(value)))

    def process_result_value(self, value: Any, dialect: Dialect) -> UUID | None:
        if value is None or isinstance(value, UUID):
            return value
        return UUID(str(value))
