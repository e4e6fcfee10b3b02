"""External jobs and steps as oVirt's AddExternalJob, AddExternalStep, EndExternalStep,
EndExternalJob and ClearExternalJob commands run them (messages, quirks and all)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services.return_value import ActionReturnValue
from tests.scenario import Scenario

S = JobExecutionStatus


@pytest.fixture
def world(database_url: str) -> Scenario:
    return Scenario(database_url)


def run(world: Scenario, action: str, **params: Any) -> ActionReturnValue:
    returned = world.engine.run_action(action, params, user="integrator")
    world.drive()
    return returned


def external_job(world: Scenario, **params: Any) -> UUID:
    returned = run(world, "AddExternalJob", description="nightly backup", **params)
    assert returned.valid
    return UUID(returned.action_return_value)


def external_step(world: Scenario, parent: UUID, description: str = "copy") -> UUID:
    returned = run(world, "AddExternalStep", parent_id=str(parent), description=description)
    assert returned.valid, returned.validation_messages
    return UUID(returned.action_return_value)


def test_add_external_job_starts_an_external_job_about_the_system_kept_until_cleared(
    world: Scenario,
) -> None:
    job = world.load(Job, external_job(world))
    assert (job.state, job.external, job.auto_cleared) == (S.STARTED, True, False)
    assert job.description == "nightly backup"
    assert [(s.entity_type, str(s.entity_id)) for s in job.subjects] == [
        ("System", "aaa00000-0000-0000-0000-123456789aaa")
    ]


def test_add_external_job_refuses_a_blank_description_without_var_words(world: Scenario) -> None:
    returned = run(world, "AddExternalJob", description="   ")
    assert returned.validation_messages == ["ACTION_TYPE_EMPTY_DESCRIPTION"]
    assert returned.job_id is None  # not monitored: no job of its own


def test_add_external_step_nests_under_a_job_or_a_step_numbered_from_zero(
    world: Scenario,
) -> None:
    job_id = external_job(world)
    first, second = external_step(world, job_id), external_step(world, job_id)
    nested = external_step(world, first, "verify")
    steps = {s: world.load(Step, s) for s in (first, second, nested)}

    assert [steps[s].step_number for s in (first, second, nested)] == [0, 1, 0]
    assert steps[nested].parent_step_id == first
    assert all(s.external and s.job_id == job_id for s in steps.values())


def test_add_external_step_says_no_parent_and_empty_description_then_its_var_words(
    world: Scenario,
) -> None:
    returned = run(world, "AddExternalStep", parent_id=str(uuid4()), description="")
    assert returned.validation_messages == [
        "ACTION_TYPE_NO_PARENT",
        "ACTION_TYPE_EMPTY_DESCRIPTION",
        "VAR__ACTION__ADD",
        "VAR__TYPE__EXTERNAL_JOB",
    ]


def test_add_external_step_refuses_a_job_of_the_engine_s_own(world: Scenario) -> None:
    vm_id, _ = world.add_vm(world.add_pool(), disks=0)
    engine_job = world.remove_vm(vm_id).job_id
    returned = run(world, "AddExternalStep", parent_id=str(engine_job), description="x")
    assert returned.validation_messages == [
        "ACTION_TYPE_NOT_EXTERNAL",
        "VAR__ACTION__ADD",
        "VAR__TYPE__EXTERNAL_JOB",
    ]


def test_end_external_step_with_failure_fails_the_job_and_its_started_steps(
    world: Scenario,
) -> None:
    job_id = external_job(world)
    done, running, failing = (external_step(world, job_id) for _ in range(3))
    assert run(world, "EndExternalStep", step_id=str(done)).valid
    assert run(world, "EndExternalStep", step_id=str(failing), succeeded=False).valid

    states = [world.load(Step, s).state for s in (done, running, failing)]
    assert states == [S.FINISHED, S.FAILED, S.FAILED]
    assert world.load(Job, job_id).state is S.FAILED


def test_end_external_step_refuses_unknown_and_internal_steps(world: Scenario) -> None:
    vm_id, _ = world.add_vm(world.add_pool(), disks=1)
    engine_job = world.load(Job, world.remove_vm(vm_id).job_id)  # type: ignore[arg-type]
    unknown = run(world, "EndExternalStep", step_id=str(uuid4()))
    internal = run(world, "EndExternalStep", step_id=str(engine_job.step_ids[0]))
    assert unknown.validation_messages == ["ACTION_TYPE_NO_STEP"]
    assert internal.validation_messages == ["ACTION_TYPE_NOT_EXTERNAL"]


def test_end_external_job_ends_its_started_steps_and_force_only_sets_auto_cleared(
    world: Scenario,
) -> None:
    """oVirt's closeCompletedJobSteps(ABORTED) after endJob reaches no step: none is left."""
    job_id = external_job(world)
    step = external_step(world, job_id)
    assert run(world, "EndExternalJob", job_id=str(job_id), force=True).valid

    job = world.load(Job, job_id)
    assert (job.state, job.auto_cleared) == (S.FINISHED, True)
    assert world.load(Step, step).state is S.FINISHED


def test_end_and_clear_external_job_say_var_action_clear_as_ovirt_does(
    world: Scenario,
) -> None:
    for action in ("EndExternalJob", "ClearExternalJob"):
        returned = run(world, action, job_id=str(uuid4()))
        assert returned.validation_messages == [
            "ACTION_TYPE_NO_JOB",
            "VAR__ACTION__CLEAR",
            "VAR__TYPE__EXTERNAL_JOB",
        ]


def test_clear_external_job_lets_the_cleanup_delete_it_and_keeps_its_status(
    world: Scenario,
) -> None:
    job_id = external_job(world)
    assert run(world, "ClearExternalJob", job_id=str(job_id)).valid
    job = world.load(Job, job_id)
    assert (job.state, job.auto_cleared) == (S.STARTED, True)
