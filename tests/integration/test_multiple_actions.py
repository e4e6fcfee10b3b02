"""runMultipleActions as oVirt's PrevalidatingMultipleActionsRunner: every action validated
(10 at a time), one return value each in order, jobs only for valid actions, and with
run_only_if_all_valid nothing runs unless every action is valid."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest

from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.domain.services import validation
from tasktrail.domain.services.command_base import InvalidParametersError
from tests.scenario import Scenario


def test_prevalidating_runner_gives_jobs_only_to_valid_actions_and_runs_them(
    database_url: str,
) -> None:
    world = Scenario(database_url)
    pool = world.add_pool()
    vms = [world.add_vm(pool, disks=1, name=f"vm{i}")[0] for i in range(2)]
    params = [{"vm_id": str(vms[0])}, {"vm_id": str(uuid4())}, {"vm_id": str(vms[1])}]
    returned = world.engine.run_multiple_actions("RemoveVm", params, user="admin")
    world.drive()

    assert [r.valid for r in returned] == [True, False, True]
    assert returned[1].job_id is None
    assert all(r.job_id is not None for r in (returned[0], returned[2]))
    assert [world.store.load(Vm, v).deleted for v in vms] == [True, True]
    assert world.command(returned[1].command_id).state is CommandStatus.ENDED_WITH_FAILURE  # type: ignore[arg-type]


def test_run_only_if_all_valid_runs_none_frees_the_locks_and_starts_no_job(
    database_url: str,
) -> None:
    world = Scenario(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    returned = world.engine.run_multiple_actions(
        "RemoveVm",
        [{"vm_id": str(vm_id)}, {"vm_id": str(uuid4())}],
        user="admin",
        run_only_if_all_valid=True,
    )
    world.drive()

    assert [r.valid for r in returned] == [True, False]
    assert [r.job_id for r in returned] == [None, None]
    assert not world.store.load(Vm, vm_id).deleted
    assert world.store.load(EngineLock, lock_id("VM", vm_id)).state is LockState.FREE
    assert world.command(returned[0].command_id).messages == (  # type: ignore[arg-type]
        "ACTION_TYPE_FAILED_NOT_ALL_COMMANDS_VALID",
    )


def test_validation_runs_ten_at_a_time_and_answers_in_request_order(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = Scenario(database_url)
    pool = world.add_pool()
    vms = [world.add_vm(pool, disks=0, name=f"vm{i}")[0] for i in range(23)]
    seen: set[str] = set()
    validate = validation.validate_action

    def watching(*args: object, **kwargs: object) -> object:
        seen.add(threading.current_thread().name)
        return validate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "validate_action", watching)
    params = [{"vm_id": str(v)} for v in vms]
    returned = world.engine.run_multiple_actions("RemoveVm", params, user="admin")

    assert [r.valid for r in returned] == [True] * 23
    ordered = [world.command(r.command_id).parameters["vm_id"] for r in returned]  # type: ignore[arg-type]
    assert ordered == [str(v) for v in vms]
    assert 1 < len(seen) <= 10
    assert threading.current_thread().name not in seen


def test_a_malformed_entry_refuses_the_whole_run_and_records_nothing(database_url: str) -> None:
    world = Scenario(database_url)
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    before = world.position
    with pytest.raises(InvalidParametersError, match="vm_id"):
        world.engine.run_multiple_actions(
            "RemoveVm", [{"vm_id": str(vm_id)}, {"vm_id": "not-a-uuid"}], user="admin"
        )
    assert world.position == before
