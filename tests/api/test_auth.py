"""Who may do what: no credentials, wrong ones, expired or revoked tokens get 401; a role that
may not gets 403; and none of them writes anything."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import httpx
import ovirtsdk4 as sdk
import pytest

from tasktrail.runners.users import Role, User, issue_token
from tests.api.conftest import ADMIN, OPERATOR, VIEWER, LiveApi, add_vm

pytestmark = pytest.mark.timeout(120)
UNAUTHENTICATED = {
    "detail": "authentication required: a valid bearer token or user name and password"
}


def sso_token(live_api: LiveApi, name: str, password: str, **form: str) -> httpx.Response:
    fields = {
        "grant_type": "password",
        "scope": "ovirt-app-api",
        "username": name,
        "password": password,
        **form,
    }
    return httpx.post(f"{live_api.url}/ovirt-engine/sso/oauth/token", data=fields)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_missing_or_wrong_credentials_get_401_and_write_nothing(live_api: LiveApi) -> None:
    before = live_api.written()
    with live_api.client(None) as http:
        answers = [
            http.get("/ovirt-engine/api"),
            http.get("/ovirt-engine/api/jobs"),
            http.delete(f"/ovirt-engine/api/vms/{uuid4()}"),
            http.get("/api/v1/jobs"),
            http.post(
                "/api/v1/commands", json={"action": "AddEmptyStoragePool", "params": {"name": "x"}}
            ),
            http.get("/metrics"),
        ]
    assert [a.status_code for a in answers] == [401] * len(answers)
    assert "<fault>" in answers[0].text
    assert answers[3].json() == UNAUTHENTICATED
    name, _ = ADMIN
    refused = sso_token(live_api, name, "not the password")
    assert refused.status_code == 401
    assert refused.json() == {
        "error": "access_denied",
        "error_description": "the user name or password is incorrect",
    }
    assert sso_token(live_api, "nobody", "not the password").json() == refused.json()
    with live_api.client((name, "not the password")) as http:
        assert http.get("/api/v1/jobs").json() == UNAUTHENTICATED
    with pytest.raises(sdk.AuthError):
        sdk.Connection(url=live_api.ovirt, username=name, password="nope").test(True)
    assert live_api.written() == before


def test_a_token_works_until_it_expires_or_is_revoked(every_role: LiveApi) -> None:
    issued = sso_token(every_role, *VIEWER).json()
    assert (issued["token_type"], issued["expires_in"]) == ("bearer", 3600)
    with every_role.client(None) as http:
        assert http.get("/api/v1/jobs", headers=bearer(issued["access_token"])).status_code == 200
        viewer = User(VIEWER[0], Role.READ_ONLY)
        expired = issue_token(every_role.runtime.database, viewer, timedelta(seconds=-1))
        assert http.get("/api/v1/jobs", headers=bearer(expired)).status_code == 401
        logout = http.post(
            "/ovirt-engine/services/sso-logout",
            data={"scope": "ovirt-app-api", "token": issued["access_token"]},
        )
        assert logout.json() == {}
        revoked = http.get("/ovirt-engine/api", headers=bearer(issued["access_token"]))
        assert revoked.status_code == 401
    other_grant = sso_token(every_role, *VIEWER, grant_type="client_credentials")
    assert (other_grant.status_code, other_grant.json()["error"]) == (400, "unsupported_grant_type")
    other_scope = sso_token(every_role, *VIEWER, scope="openid")
    assert (other_scope.status_code, other_scope.json()["error"]) == (400, "invalid_scope")


def test_each_role_does_what_it_may_and_is_refused_the_rest(every_role: LiveApi) -> None:
    vm_id = add_vm(every_role, "kept")["vm_id"]
    before = every_role.written()
    with every_role.client(VIEWER) as http:
        assert http.get("/api/v1/jobs").status_code == 200
        assert http.get(f"/ovirt-engine/api/vms/{vm_id}").status_code == 200
        removal = http.delete(f"/ovirt-engine/api/vms/{vm_id}")
        run = http.post("/api/v1/commands", json={"action": "RemoveVm", "params": {"vm_id": vm_id}})
    assert removal.status_code == 403
    assert "<reason>Forbidden</reason>" in removal.text
    assert run.status_code == 403
    assert run.json() == {"detail": "user viewer is read-only; this needs operator"}
    with every_role.client(OPERATOR) as http:
        admin_only = [
            http.post("/api/v1/projections/rebuild"),
            http.post("/api/v1/projections/verify"),
            http.post("/api/v1/bundles", json={"format": "tasktrail-bundle/1"}),
        ]
    assert [a.status_code for a in admin_only] == [403, 403, 403]
    assert every_role.written() == before
    add_vm(every_role, "made-by-an-operator", user=OPERATOR)
    assert every_role.written() > before
