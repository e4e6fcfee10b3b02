"""``serve --restart-policy ovirt``: an engine killed at a crash point, restarted with oVirt's
start-up rules, leaves what oVirt's engine would; the default policy resumes instead."""

from __future__ import annotations

import signal
import time
from uuid import UUID

import pytest
import sqlalchemy as sa

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.runners.crash_points import AFTER, BEFORE
from tasktrail.runners.store_tables import SPM_TASKS
from tests.deployment import Deployment

pytestmark = pytest.mark.timeout(300)
OVIRT = {"TASKTRAIL_RESTART_POLICY": "ovirt"}


def killed_at(deployment: Deployment, when: str, save: int) -> UUID:
    """A RemoveVm of a VM with 2 disks, its engine SIGKILLed at that save."""
    [(vm_id, _)] = deployment.vms(1, disks=2)
    root = deployment.validate_removal(vm_id)
    code, errors = deployment.serve_until_idle(**{when: str(save)})
    assert code == -signal.SIGKILL, errors
    return root


def restarted(deployment: Deployment, **variables: str) -> None:
    code, errors = deployment.serve_until_idle(**variables)
    assert code == 0, errors


def test_a_command_never_executed_is_forgotten_and_its_job_finalized_unknown(
    database_url: str,
) -> None:
    """The engine died before its first save: oVirt held the command only in memory."""
    deployment = Deployment(database_url)
    root = killed_at(deployment, BEFORE, 1)
    restarted(deployment, **OVIRT)

    store = deployment.store
    command = store.load(Command, root)
    vm_id = UUID(command.parameters["vm_id"])
    outcome = deployment.outcome(vm_id, [], root)
    assert (command.state.value, outcome["job"], outcome["lock"]) == ("UNKNOWN", "UNKNOWN", "FREE")
    assert outcome["steps"] == [("VALIDATING", "FINISHED")]
    assert store.load(Vm, vm_id).state.value == "Down"


def test_the_default_policy_executes_that_command_instead(database_url: str) -> None:
    deployment = Deployment(database_url)
    root = killed_at(deployment, BEFORE, 1)
    restarted(deployment)
    assert deployment.store.load(Command, root).state.value == "ENDED_SUCCESSFULLY"


def test_a_job_with_storage_steps_is_not_finalized_and_ends_as_without_a_restart(
    database_url: str,
) -> None:
    """finalizeJobs spares jobs with a step that has an external id (the DELETE_IMAGE steps)."""
    deployment = Deployment(database_url)
    root = killed_at(deployment, AFTER, 1)
    restarted(deployment, **OVIRT)
    command = deployment.store.load(Command, root)
    assert command.state.value == "ENDED_SUCCESSFULLY"


def forgotten_by_the_spm(deployment: Deployment) -> UUID:
    """A RemoveVm whose engine died with its tasks submitted; then the SPM lost them."""
    root = killed_at(deployment, AFTER, 1)
    with deployment.runtime.database.begin() as connection:
        connection.execute(sa.delete(SPM_TASKS))
    return root


def serving_rounds_after_start(deployment: Deployment, rounds: int, **variables: str) -> None:
    """``serve`` until it has logged its start-up and run ``rounds`` more rounds of polls."""
    server = deployment.serve("--poll-interval", "0.05", **variables)
    assert server.stderr is not None
    try:
        while "serving" not in server.stderr.readline():
            pass
        deadline = deployment.position() + rounds
        while deployment.position() < deadline and server.poll() is None:
            time.sleep(0.1)
        time.sleep(rounds * 0.05)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_tasks_the_spm_does_not_report_are_dropped_and_their_removal_never_ends(
    database_url: str,
) -> None:
    """addStoragePoolExistingTasks deletes the rows and updates no step or command, so the
    RemoveImages stay ACTIVE and RemoveVm waits for ever."""
    deployment = Deployment(database_url)
    root = forgotten_by_the_spm(deployment)
    serving_rounds_after_start(deployment, 2, **OVIRT)

    store = deployment.store
    images = [
        c
        for c in (store.load(Command, i) for i in store.load(Command, root).child_ids)
        if c.action_type == "RemoveImage"
    ]
    assert {c.state.value for c in images} == {"ACTIVE"}
    assert store.load(Command, root).state.value == "ACTIVE"
    dropped = [r for r in store.read(0, 100_000) if isinstance(r.event, AsyncTask.Dropped)]
    assert len(dropped) == 2


def test_the_default_policy_fails_the_tasks_the_spm_lost_and_ends_the_removal(
    database_url: str,
) -> None:
    deployment = Deployment(database_url)
    root = forgotten_by_the_spm(deployment)
    restarted(deployment)
    assert deployment.store.load(Command, root).state.value == "ENDED_WITH_FAILURE"
