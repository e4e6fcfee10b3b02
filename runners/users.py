"""Who may use the HTTP API: users with a role and an argon2 password hash, and their tokens.

These are tasktrail's own facts, so their tables are ``tt_*`` beside oVirt's (oVirt's ``users``
holds directory users and no passwords). A token is stored only as its SHA-256 digest, so a
copy of the database hands out no usable token; it expires after its lifetime, and logging out
deletes it. Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, two
passes, one lane: about 60 ms here; argon2-cffi's default, RFC 9106's 64 MiB profile, takes
0.5 s, which every login and every uncached Basic request would pay).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.services.validation import USER_NAME_LIMIT
from tasktrail.projections.ovirt_codes import user_uuid

METADATA = sa.MetaData()

USERS = sa.Table(
    "tt_api_user",
    METADATA,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

TOKENS = sa.Table(
    "tt_api_token",
    METADATA,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(255), nullable=False, index=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _HASHER.hash("tasktrail: no such user")
"""Checked against when the user is unknown, so a wrong name takes as long as a wrong password."""


class Role(StrEnum):
    """Each role may do what the ones before it may."""

    READ_ONLY = "read-only"
    OPERATOR = "operator"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    @property
    def id(self) -> UUID:
        return user_uuid(self.name)


class UserError(TasktrailError):
    """A user that cannot be added as asked (empty name or password, name taken)."""


def add_user(engine: sa.Engine, name: str, password: str, role: Role) -> User:
    """Adds a user; refuses an empty name or password and a name already taken."""
    if not name.strip() or len(name) > USER_NAME_LIMIT:
        raise UserError(f"a user name is 1 to {USER_NAME_LIMIT} characters, not only spaces")
    if not password:
        raise UserError(f"user {name!r} needs a non-empty password")
    row = {
        "name": name,
        "role": role.value,
        "password_hash": _HASHER.hash(password),
        "created_at": datetime.now(UTC),
    }
    try:
        with engine.begin() as connection:
            connection.execute(USERS.insert().values(row))
    except sa.exc.IntegrityError:
        raise UserError(f"user {name!r} exists already") from None
    return User(name, role)


def authenticate(engine: sa.Engine, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs; None for a wrong name or password alike."""
    with engine.connect() as connection:
        row = connection.execute(USERS.select().where(USERS.c.name == name)).first()
    try:
        _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row.name, Role(row.role)) if row else None


def issue_token(engine: sa.Engine, user: User, lifetime: timedelta) -> str:
    """A new bearer token for ``user``, valid for ``lifetime``; expired tokens are purged."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(TOKENS.delete().where(TOKENS.c.expires_at <= now))
        connection.execute(
            TOKENS.insert().values(
                digest=_digest(token), user_name=user.name, expires_at=now + lifetime
            )
        )
    return token


def token_user(engine: sa.Engine, token: str) -> User | None:
    """The user a token was issued to, if it has not expired nor been revoked."""
    query = (
        sa.select(USERS.c.name, USERS.c.role)
        .join(TOKENS, TOKENS.c.user_name == USERS.c.name)
        .where(TOKENS.c.digest == _digest(token), TOKENS.c.expires_at > datetime.now(UTC))
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return User(row.name, Role(row.role)) if row else None


def revoke_token(engine: sa.Engine, token: str) -> None:
    """Logs the token out; an unknown token is no error."""
    with engine.begin() as connection:
        connection.execute(TOKENS.delete().where(TOKENS.c.digest == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
