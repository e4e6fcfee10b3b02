"""The role each route needs, as FastAPI dependencies: ``Reader``, ``Operator``, ``Admin``.

Both schemes are declared (so the OpenAPI document shows them); a request may use either.
No credentials or wrong ones: 401. Credentials of a role that may not: 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)

from tasktrail.runners.api.errors import UNAUTHORIZED, ForbiddenError, UnauthenticatedError
from tasktrail.runners.api.state import api_state
from tasktrail.runners.users import Role, User

bearer = HTTPBearer(
    auto_error=False, description="A token from POST /ovirt-engine/sso/oauth/token."
)
basic = HTTPBasic(auto_error=False, description="A user added with `tasktrail user add`.")


def caller(
    request: Request,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    password: Annotated[HTTPBasicCredentials | None, Depends(basic)],
) -> User:
    authenticator = api_state(request).authenticator
    if token is not None:
        return authenticator.bearer(token.credentials)
    if password is not None:
        return authenticator.basic(password.username, password.password)
    raise UnauthenticatedError(UNAUTHORIZED)


def requires(role: Role) -> Callable[[User], User]:
    def allowed(user: Annotated[User, Depends(caller)]) -> User:
        if not user.role.allows(role):
            raise ForbiddenError(f"user {user.name} is {user.role.value}; this needs {role.value}")
        return user

    return allowed


Reader = Annotated[User, Depends(requires(Role.READ_ONLY))]
Operator = Annotated[User, Depends(requires(Role.OPERATOR))]
Admin = Annotated[User, Depends(requires(Role.ADMIN))]
