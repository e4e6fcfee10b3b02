"""Replay: state at a version or moment, a job's tree then, the path to a failure; bundles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from tasktrail.domain.model.step.aggregate import Step
from tasktrail.projections import queries
from tasktrail.projections.read_model import ReadModel, verify
from tasktrail.projections.replay import job_tree_at, state_at, transitions
from tasktrail.runners import bundle
from tasktrail.runners.database import database_engine, open_event_store
from tasktrail.runners.schema import upgrade
from tests.scenario import Scenario

Failed = tuple[Scenario, ReadModel, UUID]


@pytest.fixture
def failed(database_url: str) -> Failed:
    world = Scenario(database_url)
    vm_id, disk_ids = world.add_vm(world.add_pool(), disks=2)
    world.spm.fail_delete.add(disk_ids[1])  # type: ignore[attr-defined]
    world.clock.advance(10)
    root = world.remove_vm(vm_id).command_id
    assert root is not None
    world.loop.step()  # executed at t=10
    world.clock.advance(10)
    world.drive()  # its tasks end at t=20
    return world, world.read_model, root


def test_state_at_a_version_and_at_a_moment(failed: Failed) -> None:
    world, _, root = failed
    start = world.clock.now()
    assert state_at(world.store, root, version=1).state == "NOT_STARTED"
    assert state_at(world.store, root, version=2).state == "ACTIVE"
    assert state_at(world.store, root).state == "ENDED_WITH_FAILURE"
    during = state_at(world.store, root, at=start - timedelta(seconds=5))
    assert during.state == "ACTIVE"
    assert during.fields["executed"] is True


def test_the_path_to_a_failure_lists_each_transition_with_its_metadata(
    failed: Failed,
) -> None:
    world, _, root = failed
    path = transitions(world.store, root)
    assert [(t.trigger, t.to_state) for t in path][-3:] == [
        ("clear_snapshots", "ACTIVE"),
        ("fail", "FAILED"),
        ("end_with_failure", "ENDED_WITH_FAILURE"),
    ]
    assert {t.correlation_id for t in path} == {"corr-rm"}
    assert path[-2].payload["messages"][0].startswith("CHILD_COMMAND_FAILED: RemoveImage")


def test_a_jobs_tree_as_it_stood_while_it_ran(failed: Failed) -> None:
    world, _, root = failed
    job_id = world.command(root).job_id
    assert job_id is not None
    then = job_tree_at(world.store, job_id, world.clock.now() - timedelta(seconds=5))
    now = job_tree_at(world.store, job_id)
    assert then["job"]["state"] == "STARTED"
    assert {s["state"] for s in then["steps"] if s["fields"]["step_type"] == "DELETE_IMAGE"} == {
        "STARTED"
    }
    assert now["job"]["state"] == "FAILED"
    failed_step = world.store.load(Step, now["job"]["fields"]["failed_step_id"])
    assert failed_step.reason == "Image deletion failed"


def test_a_failed_jobs_bundle_replays_in_a_fresh_database(failed: Failed, tmp_path: Path) -> None:
    world, model, root = failed
    job_id = world.command(root).job_id
    assert job_id is not None
    path = tmp_path / "incident.json"
    exported = bundle.export_job(model, job_id, path)

    url = f"sqlite:///{tmp_path / 'copy.db'}"
    database = database_engine(url)
    upgrade(database)
    copy = open_event_store(url)
    imported_job, count = bundle.import_file(copy, path)
    copied = ReadModel(database, copy)
    copied.create()
    copied.catch_up()

    assert (imported_job, count) == (job_id, exported)
    assert queries.job(copied, job_id) == queries.job(model, job_id)
    assert transitions(copy, root) == transitions(world.store, root)
    assert verify(database, copy) == []
    with pytest.raises(bundle.BundleError, match="holds events already"):
        bundle.import_file(copy, path)
