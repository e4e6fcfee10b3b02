"""What the web console needs of the API: who is calling, jobs filtered and paged, one event
by its position, and the command that began each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import ADMIN, VIEWER, LiveApi, add_vm, ended

pytestmark = pytest.mark.timeout(120)


def test_jobs_filter_and_page_events_are_found_by_position_and_steps_name_their_command(
    every_role: LiveApi,
) -> None:
    vms = [add_vm(every_role, f"web{i}", disks=1) for i in range(3)]
    with every_role.client() as http:
        for index, vm in enumerate(vms):
            body = {"action": "RemoveVm", "params": {"vm_id": vm["vm_id"]}}
            body["correlation_id"] = f"rm-{index}"
            ended(http, http.post("/api/v1/commands", json=body).json()["command_id"])
        removals = http.get("/api/v1/jobs", params={"action_type": "RemoveVm"}).json()
        assert [j["correlation_id"] for j in removals] == ["rm-2", "rm-1", "rm-0"]
        paged = [
            http.get("/api/v1/jobs", params={"action_type": "RemoveVm", "limit": 2, "offset": n})
            for n in (0, 2, 4)
        ]
        assert [[j["id"] for j in p.json()] for p in paged] == [
            [removals[0]["id"], removals[1]["id"]],
            [removals[2]["id"]],
            [],
        ]
        assert len(http.get("/api/v1/jobs", params={"owner": ADMIN[0]}).json()) == 6
        assert http.get("/api/v1/jobs", params={"owner": "nobody"}).json() == []
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        assert http.get("/api/v1/jobs", params={"since": later}).json() == []
        assert len(http.get("/api/v1/jobs", params={"until": later}).json()) == 6
        assert http.get("/api/v1/jobs", params={"since": "2026-01-01T00:00"}).status_code == 422

        tree = http.get(f"/api/v1/jobs/{removals[0]['id']}").json()
        command = http.get("/api/v1/commands", params={"action_type": "RemoveVm"}).json()[0]
        assert {s["command_id"] for s in tree["steps"]} == {command["id"]}
        [image] = tree["steps"][1]["steps"]
        child = http.get(f"/api/v1/commands/{image['command_id']}").json()
        assert (child["action_type"], child["parent_command_id"]) == ("RemoveImage", command["id"])

        newest = http.get("/api/v1/history", params={"newest_first": True, "limit": 1}).json()
        [event] = newest["events"]
        found = http.get(f"/api/v1/events/{event['position']}").json()
        assert found["aggregate_id"] == event["aggregate_id"]
        assert found["version"] == event["version"]
        assert "payload" in found
        beyond = http.get(f"/api/v1/events/{event['position'] + 1}")
        assert beyond.status_code == 404
        assert str(event["position"] + 1) in beyond.json()["detail"]
    with every_role.client(VIEWER) as http:
        assert http.get("/api/v1/me").json() == {"name": "viewer", "role": "read-only"}
