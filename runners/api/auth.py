"""Who is calling: a bearer token from the SSO endpoint, or a user name and password (Basic).

A password accepted over Basic is remembered for ``basic_cache_seconds`` (by a digest of the
pair, never the password itself), so a client sending it with every request does not pay an
argon2 check each time. Every failure looks the same to the caller: 401, nothing more.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import sqlalchemy as sa

from tasktrail.runners.api.errors import UNAUTHORIZED, UnauthenticatedError
from tasktrail.runners.users import User, authenticate, issue_token, revoke_token, token_user


class Authenticator:
    def __init__(self, database: sa.Engine, token_seconds: float, cache_seconds: float) -> None:
        self.database = database
        self.lifetime = timedelta(seconds=token_seconds)
        self.cache_seconds = cache_seconds
        self._accepted: dict[str, tuple[User, float]] = {}

    def bearer(self, token: str) -> User:
        return _known(token_user(self.database, token))

    def basic(self, name: str, password: str) -> User:
        key = hashlib.sha256(f"{name}\0{password}".encode()).hexdigest()
        user, until = self._accepted.get(key, (None, 0.0))
        if user is not None and time.monotonic() < until:
            return user
        found = _known(authenticate(self.database, name, password))
        self._accepted[key] = (found, time.monotonic() + self.cache_seconds)
        return found

    def login(self, name: str, password: str) -> tuple[str, User]:
        """A new token for the user, if the password is theirs."""
        user = _known(authenticate(self.database, name, password))
        return issue_token(self.database, user, self.lifetime), user

    def logout(self, token: str) -> None:
        revoke_token(self.database, token)


def _known(user: User | None) -> User:
    if user is None:
        raise UnauthenticatedError(UNAUTHORIZED)
    return user
