"""oVirt's SSO, the part API clients use: a password grant for a bearer token, and logout.

``POST /ovirt-engine/sso/oauth/token`` (form: ``grant_type=password``, ``scope`` including
``ovirt-app-api``, ``username``, ``password``) answers JSON with ``access_token``,
``token_type``, ``expires_in`` (seconds) and oVirt's ``exp`` (epoch milliseconds, as text).
Errors are JSON too, ``error`` and ``error_description``, as the SDK reads them; a wrong name
or password is 401 and says no more.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from tasktrail.runners.api.errors import UnauthenticatedError
from tasktrail.runners.api.state import api_state

router = APIRouter(prefix="/ovirt-engine")
SCOPE = "ovirt-app-api"
Field = Annotated[str | None, Form()]


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


@router.post("/sso/oauth/token")
def issue(
    request: Request,
    grant_type: Field = None,
    scope: Field = None,
    username: Field = None,
    password: Field = None,
) -> JSONResponse:
    if grant_type != "password":
        return _error(400, "unsupported_grant_type", "only grant_type=password is supported")
    if SCOPE not in (scope or "").split():
        return _error(400, "invalid_scope", f"the scope must include {SCOPE}")
    state = api_state(request)
    try:
        issued, _ = state.authenticator.login(username or "", password or "")
    except UnauthenticatedError:
        return _error(401, "access_denied", "the user name or password is incorrect")
    seconds = state.settings.token_seconds
    expires = round((time.time() + seconds) * 1000)
    body = {
        "access_token": issued,
        "token_type": "bearer",
        "expires_in": round(seconds),
        "exp": str(expires),
        "scope": SCOPE,
    }
    return JSONResponse(body)


@router.post("/services/sso-logout")
def revoke(request: Request, token: Field = None, scope: Field = None) -> JSONResponse:
    """Revokes the token (the SDK's ``Connection.close``); an unknown one is no error."""
    if token:
        api_state(request).authenticator.logout(token)
    return JSONResponse({})
