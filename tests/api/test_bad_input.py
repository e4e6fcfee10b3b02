"""Bad input gets a fault naming what was wrong (oVirt's ``<fault>``, or ``{"detail": …}``)
and writes nothing: unknown ids, malformed bodies, wrong types, oversize bodies, unknown
query parameters."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from tests.api.conftest import LiveApi, add_vm

pytestmark = pytest.mark.timeout(120)
XML = {"Content-Type": "application/xml"}


def fault_detail(answer: httpx.Response) -> str:
    """The detail of an oVirt fault, asked for as JSON."""
    assert answer.headers["content-type"] == "application/json"
    detail: str = answer.json()["detail"]
    return detail


@pytest.fixture
def http(live_api: LiveApi) -> httpx.Client:
    return live_api.client(headers={"Accept": "application/json"})


def test_unknown_query_parameters_and_values_of_the_wrong_type_are_named(
    live_api: LiveApi, http: httpx.Client
) -> None:
    vm_id = add_vm(live_api, "typed")["vm_id"]
    before = live_api.written()
    vms = http.get("/ovirt-engine/api/vms", params={"serch": "name=x"})
    assert vms.status_code == 400
    assert fault_detail(vms) == (
        "unknown query parameter(s) serch; accepted: case_sensitive, max, search"
    )
    removal = http.delete(f"/ovirt-engine/api/vms/{uuid4()}", params={"detach": "true"})
    assert removal.status_code == 400
    assert "detach" in fault_detail(removal)
    history = http.get("/api/v1/history", params={"type": "Failed"})
    assert history.status_code == 400
    assert history.json()["detail"].startswith("unknown query parameter(s) type; accepted: ")
    too_many = http.get("/ovirt-engine/api/jobs", params={"max": "ten"})
    assert (too_many.status_code, fault_detail(too_many)) == (
        400,
        "query parameter max must be a whole number, not 'ten'",
    )
    maybe = http.delete(f"/ovirt-engine/api/vms/{vm_id}", params={"async": "maybe"})
    assert (maybe.status_code, fault_detail(maybe)) == (
        400,
        "async must be true or false, not 'maybe'",
    )
    limit = http.get("/api/v1/jobs", params={"limit": "ten"})
    assert limit.status_code == 422
    assert limit.json()["detail"][0]["loc"] == ["query", "limit"]
    moment = http.get("/api/v1/history", params={"since": "2026-01-01T00:00:00"})
    assert moment.status_code == 422
    assert live_api.written() == before


def test_unknown_ids_searches_and_versions_are_named(live_api: LiveApi, http: httpx.Client) -> None:
    before = live_api.written()
    unknown = uuid4()
    vm = http.get(f"/ovirt-engine/api/vms/{unknown}")
    assert (vm.status_code, fault_detail(vm)) == (404, f"VM {unknown} not found")
    assert fault_detail(http.get("/ovirt-engine/api/jobs/42")) == "no job has the id '42'"
    removal = http.delete(f"/ovirt-engine/api/vms/{unknown}")
    assert removal.status_code == 404
    assert str(unknown) in fault_detail(removal)
    run = http.post(
        "/api/v1/commands", json={"action": "RemoveVm", "params": {"vm_id": str(unknown)}}
    )
    assert run.status_code == 404
    assert http.get(f"/api/v1/jobs/{unknown}").json() == {"detail": f"job {unknown} not found"}
    assert http.get(f"/api/v1/replay/{unknown}").status_code == 404
    assert http.get("/ovirt-engine/api/nothing").status_code == 404
    search = http.get("/ovirt-engine/api/vms", params={"search": "host=h1"})
    assert fault_detail(search) == "cannot search by 'host'; searchable: id, name, status"
    garbled = http.get("/ovirt-engine/api/jobs", params={"search": "status"})
    assert fault_detail(garbled) == "cannot read search term 'status': expected field=value"
    version = http.get("/ovirt-engine/api", headers={"Version": "3"})
    assert (version.status_code, fault_detail(version)) == (
        400,
        "this is version 4 of the API; the Version header asks for 3",
    )
    assert live_api.written() == before


def test_malformed_and_oversize_bodies_are_refused(live_api: LiveApi, http: httpx.Client) -> None:
    before = live_api.written()
    vms = "/ovirt-engine/api/vms"
    cases = [
        (http.post(vms, content=b"<vm><name>x</name>", headers=XML), "malformed XML body"),
        (http.post(vms, content=b"<job/>", headers=XML), "expected a <vm> element, not <job>"),
        (http.post(vms, content=b"<vm/>", headers=XML), "vm/name is required"),
        (
            http.post(vms, content=b"{", headers={"Content-Type": "application/json"}),
            "malformed JSON body",
        ),
        (
            http.post(vms, json={"name": "x", "status": "paused"}),
            "vm/status of a new VM is down or up, not 'paused'",
        ),
        (
            http.post(vms, json={"name": "x", "cluster": {"data_center": {"id": "dc1"}}}),
            "cluster/data_center/id must be a UUID, not 'dc1'",
        ),
    ]
    for answer, detail in cases:
        assert answer.status_code == 400
        assert fault_detail(answer).startswith(detail)
    entity = b'<!DOCTYPE vm [<!ENTITY x "y">]><vm><name>&x;</name></vm>'
    assert http.post(vms, content=entity, headers=XML).status_code == 400
    other = http.post(vms, content=b"name=x", headers={"Content-Type": "text/plain"})
    assert other.status_code == 415
    commands = [
        {"action": "Reboot"},
        {"action": "RemoveVm", "params": {"vm": "x"}},
        {"action": "RemoveImage", "params": {}},
    ]
    for body in commands:
        assert http.post("/api/v1/commands", json=body).status_code == 400
    bad_id = http.post(
        "/api/v1/commands",
        json={"action": "AddEmptyStoragePool", "params": {"name": "x"}, "correlation_id": "a b"},
    )
    assert bad_id.status_code == 422
    huge = b"<vm><name>" + b"x" * (2 << 20) + b"</name></vm>"
    declared = http.post("/ovirt-engine/api/vms", content=huge, headers=XML)
    assert (declared.status_code, fault_detail(declared)) == (
        413,
        "the request body is larger than 1048576 bytes",
    )
    streamed = http.post("/ovirt-engine/api/vms", content=iter([huge[:65536]] * 40), headers=XML)
    assert streamed.status_code == 413
    v1 = http.post(
        "/api/v1/commands",
        content=b"{" + b" " * (2 << 20) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert v1.status_code == 413
    assert v1.json() == {"detail": "the request body is larger than 1048576 bytes"}
    assert live_api.written() == before
