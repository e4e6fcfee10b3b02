"""Debugging over HTTP: what-if and diff of runs, redrive and cancel as commands."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.api.conftest import LiveApi, add_vm, ended


def remove(live_api: LiveApi, vm: dict[str, Any], correlation_id: str) -> dict[str, Any]:
    body = {
        "action": "RemoveVm",
        "params": {"vm_id": vm["vm_id"]},
        "correlation_id": correlation_id,
    }
    with live_api.client() as http:
        returned = http.post("/api/v1/commands", json=body)
        assert returned.status_code == 202, returned.text
        return ended(http, returned.json()["command_id"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the routes only read
def test_what_if_diff_and_redrive_of_a_failed_remove_vm(live_api: LiveApi) -> None:
    good, bad = add_vm(live_api, "good"), add_vm(live_api, "bad")
    live_api.runtime.spm.inject_fault(UUID(bad["disk_ids"][1]), "delete")
    ok, failed = remove(live_api, good, "rm-good"), remove(live_api, bad, "rm-bad")
    assert failed["status"] == "ENDED_WITH_FAILURE"

    with live_api.client() as http:
        replayed = http.get(f"/api/v1/what-if/{failed['job_id']}")
        compared = http.get("/api/v1/diff", params={"a": ok["id"], "b": failed["id"]})
        unknown = http.get(f"/api/v1/what-if/{UUID(int=9)}")
        redrive = {"action": "Redrive", "params": {"command_id": failed["id"]}}
        redriven = http.post("/api/v1/commands", json=redrive)
        assert redriven.status_code == 202, redriven.text
        finished = ended(http, redriven.json()["command_id"])

    assert replayed.status_code == 200
    assert replayed.json()["identical"] is True
    assert compared.json()["divergence"]["role"].startswith("RemoveVm/RemoveImage#2[vm#1/disk#2]")
    assert unknown.status_code == 404
    assert finished["status"] == "ENDED_SUCCESSFULLY"
