"""API users: argon2 passwords, roles, tokens that expire and can be revoked, and the tables
the schema's revision 0003 makes for them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tasktrail.runners.database import database_engine
from tasktrail.runners.schema import upgrade
from tasktrail.runners.users import (
    METADATA,
    USERS,
    Role,
    UserError,
    add_user,
    authenticate,
    issue_token,
    revoke_token,
    token_user,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def database(database_url: str) -> sa.Engine:
    engine = database_engine(database_url)
    upgrade(engine)
    return engine


def test_the_revision_builds_exactly_the_user_tables_the_code_defines(database: sa.Engine) -> None:
    ours = {t.name for t in METADATA.sorted_tables}

    def ours_only(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
        return kind == "schema" or (name if kind == "table" else parents.get("table_name")) in ours

    with database.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours_only})
        assert compare_metadata(context, METADATA) == []


def test_a_user_is_known_by_their_password_only(database: sa.Engine) -> None:
    added = add_user(database, "admin@internal", "s3cret", Role.ADMIN)
    assert authenticate(database, "admin@internal", "s3cret") == added
    assert authenticate(database, "admin@internal", "wrong") is None
    assert authenticate(database, "nobody", "s3cret") is None
    with database.connect() as connection:
        stored = connection.execute(sa.select(USERS.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "s3cret" not in stored


def test_a_name_is_taken_once_and_needs_a_password(database: sa.Engine) -> None:
    add_user(database, "ops", "pw", Role.OPERATOR)
    with pytest.raises(UserError, match="exists already"):
        add_user(database, "ops", "other", Role.ADMIN)
    with pytest.raises(UserError, match="non-empty password"):
        add_user(database, "empty", "", Role.READ_ONLY)
    with pytest.raises(UserError, match="1 to 128"):
        add_user(database, "  ", "pw", Role.READ_ONLY)
    with pytest.raises(UserError, match="1 to 128"):
        add_user(database, "u" * 129, "pw", Role.READ_ONLY)


def test_a_token_names_its_user_until_it_expires_or_is_revoked(database: sa.Engine) -> None:
    user = add_user(database, "viewer", "pw", Role.READ_ONLY)
    token = issue_token(database, user, timedelta(minutes=5))
    assert token_user(database, token) == user
    revoke_token(database, token)
    assert token_user(database, token) is None
    expired = issue_token(database, user, timedelta(seconds=-1))
    assert token_user(database, expired) is None
    assert token_user(database, "not-a-token") is None


def test_each_role_may_do_what_the_ones_before_it_may() -> None:
    assert Role.ADMIN.allows(Role.OPERATOR)
    assert Role.ADMIN.allows(Role.READ_ONLY)
    assert Role.OPERATOR.allows(Role.READ_ONLY)
    assert not Role.OPERATOR.allows(Role.ADMIN)
    assert not Role.READ_ONLY.allows(Role.OPERATOR)
