"""tasktrail's own API: commands, jobs with step trees, history paged with a cursor, replay,
failures, what is in flight, the read model, bundles, the live stream, metrics and health."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest

from tasktrail.runners.database import database_engine
from tasktrail.runners.users import Role, add_user
from tests.api.conftest import ADMIN, LiveApi, add_vm, ended, serve

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def http(live_api: LiveApi) -> Iterator[httpx.Client]:
    with live_api.client() as client:
        yield client


def remove(http: httpx.Client, vm_id: str, correlation_id: str) -> dict[str, Any]:
    """RemoveVm through the API, once it has ended; the command as the API shows it."""
    body = {"action": "RemoveVm", "params": {"vm_id": vm_id}, "correlation_id": correlation_id}
    returned = http.post("/api/v1/commands", json=body)
    assert returned.status_code == 202, returned.text
    assert returned.json()["valid"]
    return ended(http, returned.json()["command_id"])


def test_commands_run_through_the_api_have_jobs_with_step_trees_or_are_refused(
    live_api: LiveApi, http: httpx.Client
) -> None:
    vm = add_vm(live_api, "web1", disks=2)
    command = remove(http, vm["vm_id"], "rm-web1")
    assert command["status"] == "ENDED_SUCCESSFULLY"
    assert command["user"] == ADMIN[0]
    [listed] = http.get("/api/v1/jobs", params={"correlation_id": "rm-web1"}).json()
    tree = http.get(f"/api/v1/jobs/{listed['id']}").json()
    assert tree["status"] == "FINISHED"
    assert [s["type"] for s in tree["steps"]] == ["VALIDATING", "EXECUTING", "FINALIZING"]
    images = tree["steps"][1]["steps"]
    assert [(s["type"], s["external_system"]) for s in images] == [("DELETE_IMAGE", "VDSM")] * 2
    assert [[s["type"] for s in image["steps"]] for image in images] == [["FINALIZING"]] * 2
    children = http.get("/api/v1/commands", params={"action_type": "RemoveImage"}).json()
    assert {c["root_command_id"] for c in children} == {command["id"]}
    actions = http.get("/api/v1/actions").json()
    assert {"AddEmptyStoragePool", "AddVm", "RemoveVm", "AddExternalJob"} <= set(actions)
    assert "RemoveImage" not in actions
    params = {"name": "running", "storage_pool_id": str(live_api.pool_id), "status": "Up"}
    made = http.post("/api/v1/commands", json={"action": "AddVm", "params": params})
    ended(http, made.json()["command_id"])
    body = {"action": "RemoveVm", "params": {"vm_id": made.json()["action_return_value"]["vm_id"]}}
    refused = http.post("/api/v1/commands", json=body)
    assert refused.status_code == 409
    assert "ACTION_TYPE_FAILED_VM_IS_RUNNING" in refused.json()["detail"]
    recorded = ended(http, refused.json()["command_id"])
    assert (recorded["action_type"], recorded["status"]) == ("RemoveVm", "ENDED_WITH_FAILURE")
    assert "ACTION_TYPE_FAILED_VM_IS_RUNNING" in recorded["messages"]


def test_history_pages_with_a_cursor_and_every_filter_and_replay_goes_back(
    live_api: LiveApi, http: httpx.Client
) -> None:
    vm = add_vm(live_api, "audited")
    remove(http, vm["vm_id"], "rm-audited")
    everything = http.get("/api/v1/history", params={"limit": 10_000}).json()
    assert everything["next_cursor"] is None
    paged, cursor = [], 0
    while cursor is not None:
        page = http.get("/api/v1/history", params={"limit": 7, "cursor": cursor}).json()
        paged += page["events"]
        cursor = page["next_cursor"]
    assert paged == everything["events"]
    newest = http.get("/api/v1/history", params={"newest_first": True, "limit": 3}).json()
    assert [e["position"] for e in newest["events"]] == [
        e["position"] for e in reversed(everything["events"][-3:])
    ]
    filtered = http.get(
        "/api/v1/history",
        params={
            "entity": vm["vm_id"],
            "correlation_id": "rm-audited",
            "user": ADMIN[0],
            "action_type": "RemoveVm",
            "to_state": "FINISHED",
            "event_type": "Finished",
            "since": everything["events"][0]["timestamp"],
            "until": "2999-01-01T00:00:00+00:00",
        },
    ).json()
    assert {(e["aggregate_type"], e["to_state"]) for e in filtered["events"]} >= {
        ("Job", "FINISHED")
    }
    job_id = http.get("/api/v1/jobs", params={"correlation_id": "rm-audited"}).json()[0]["id"]
    first = http.get(f"/api/v1/replay/{job_id}/versions/1").json()
    assert (first["state"]["state"], len(first["path"])) == ("STARTED", 1)
    now = http.get(f"/api/v1/replay/{job_id}").json()
    assert now["state"]["state"] == "FINISHED"
    assert now["tree"]["job"]["state"] == "FINISHED"
    at = now["path"][0]["timestamp"]
    moment = http.get(f"/api/v1/replay/{job_id}/moments/{at}")
    assert moment.json()["state"]["version"] == 1
    assert len(moment.json()["tree"]["steps"]) < len(now["tree"]["steps"])
    naive = http.get(f"/api/v1/replay/{job_id}/moments/2026-01-01T00:00:00")
    assert naive.status_code == 422


def test_a_storage_failure_is_listed_and_nothing_stays_in_flight(
    live_api: LiveApi, http: httpx.Client
) -> None:
    vm = add_vm(live_api, "doomed")
    live_api.runtime.spm.inject_fault(UUID(vm["disk_ids"][0]), "delete")
    command = remove(http, vm["vm_id"], "rm-doomed")
    assert command["status"] == "ENDED_WITH_FAILURE"
    [failed] = http.get("/api/v1/failed").json()
    assert failed["command_id"] == command["id"]
    assert failed["failed_step_type"] == "DELETE_IMAGE"
    assert failed["storage_error"]
    for path in ("/api/v1/locks", "/api/v1/tasks", "/api/v1/blocked"):
        answer = http.get(path)
        assert (answer.status_code, answer.json()) == (200, [])
    assert http.get("/api/v1/blocked", params={"older_than": 5}).json() == []


def test_bundles_and_the_read_model(live_api: LiveApi, http: httpx.Client, tmp_path: Any) -> None:
    vm = add_vm(live_api, "exported")
    job_id = remove(http, vm["vm_id"], "rm-exported")["job_id"]
    bundle = http.get(f"/api/v1/jobs/{job_id}/bundle").json()
    assert bundle["format"] == "tasktrail-bundle/2"
    refused = http.post("/api/v1/bundles", json=bundle)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "this database holds events already: bundles go into empty ones"
    )
    empty = f"sqlite:///{tmp_path / 'copy.db'}"
    with serve(empty, engine=False) as copy:
        add_user(database_engine(empty), *ADMIN, Role.ADMIN)
        with httpx.Client(base_url=copy.url, auth=ADMIN) as other:
            forged = {**bundle, "events": [{**bundle["events"][0], "topic": "os:system"}]}
            unreadable = other.post("/api/v1/bundles", json=forged)
            assert unreadable.status_code == 400
            assert unreadable.json()["detail"].startswith("the bundle: declares")
            unchecked = {**forged, "format": "tasktrail-bundle/1"}
            unreadable = other.post("/api/v1/bundles", json=unchecked)
            assert unreadable.status_code == 400
            assert unreadable.json()["detail"].startswith("the bundle: event 0 cannot be read")
            imported = other.post("/api/v1/bundles", json=bundle)
            assert imported.status_code == 201
            assert imported.json()["job_id"] == job_id
            assert other.get(f"/api/v1/jobs/{job_id}").json()["status"] == "FINISHED"
    [status] = http.get("/api/v1/projections").json()
    assert (status["name"], status["lag"]) == ("read_model", 0)
    assert http.post("/api/v1/projections/verify").json() == []
    log = http.post("/api/v1/log/verify").json()
    assert (log["intact"], log["first_break_position"]) == (True, None)
    assert 0 < log["checked"] <= status["head"]
    assert http.post("/api/v1/projections/rebuild").json()["applied"] == status["head"]


def test_the_stream_sends_new_events_and_resumes_after_the_last_one_seen(
    live_api: LiveApi, http: httpx.Client
) -> None:
    vm = add_vm(live_api, "streamed")
    head = live_api.written()
    seen = read_stream(http, {"after": 0}, until=head)
    assert [int(m["id"]) for m in seen] == list(range(1, head + 1))
    assert seen[0]["event"] == "Command.Created"
    assert json.loads(seen[0]["data"])["position"] == 1
    remove(http, vm["vm_id"], "rm-streamed")
    later = read_stream(http, {}, until=live_api.written(), headers={"Last-Event-ID": str(head)})
    assert int(later[0]["id"]) == head + 1
    assert {json.loads(m["data"])["correlation_id"] for m in later} == {"rm-streamed"}


def read_stream(
    http: httpx.Client, params: dict[str, Any], until: int, headers: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """The messages of the stream up to the event at position ``until``."""
    messages: list[dict[str, str]] = []
    current: dict[str, str] = {}
    with http.stream("GET", "/api/v1/events", params=params, headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line:
                name, _, value = line.partition(": ")
                current[name] = value
                continue
            if "id" in current:
                messages.append(current)
                if int(current["id"]) >= until:
                    return messages
            current = {}
    return messages


def test_metrics_health_and_ovirts_json(live_api: LiveApi, http: httpx.Client) -> None:
    vm = add_vm(live_api, "measured")
    remove(http, vm["vm_id"], "rm-measured")
    metrics = http.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert 'tasktrail_commands{action_type="RemoveVm",status="ENDED_SUCCESSFULLY"} 1' in text
    assert "tasktrail_commands_in_flight 0" in text
    assert "tasktrail_projection_lag_events 0" in text
    assert "tasktrail_engines_alive 1" in text
    assert "tasktrail_storage_poll_seconds_count" in text
    assert "tasktrail_task_end_to_root_end_seconds_count 1" in text
    health = httpx.get(f"{live_api.url}/health")
    assert health.json() == {"status": "ok", "database": True, "engine": "running"}
    vm = add_vm(live_api, "json1", disks=1)
    answer = http.get("/ovirt-engine/api/vms", headers={"Accept": "application/json"})
    [listed] = answer.json()["vm"]
    assert listed["id"] == vm["vm_id"]
    assert listed["href"] == f"/ovirt-engine/api/vms/{vm['vm_id']}"
    assert listed["status"] == "down"
    assert isinstance(listed["creation_time"], int)
    assert listed["link"] == [
        {"href": f"/ovirt-engine/api/vms/{vm['vm_id']}/diskattachments", "rel": "diskattachments"}
    ]
    assert (
        http.get(
            "/ovirt-engine/api/jobs",
            params={"search": "status=none"},
            headers={"Accept": "application/json"},
        ).json()
        == {}
    )
