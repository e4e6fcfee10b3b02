"""oVirt's JobRepositoryCleanupManager: ended auto-cleared jobs are deleted after 10 minutes
(FINISHED) or 60 (FAILED, ABORTED, UNKNOWN); the deletion is an event, so history keeps it."""

from __future__ import annotations

import sqlalchemy as sa

from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.services.ports import EngineSettings
from tasktrail.projections.tables import LIVE
from tests.scenario import Scenario

MINUTE = 60.0


def cleaning_world(url: str) -> Scenario:
    settings = EngineSettings(job_cleanup_rate=MINUTE)
    world = Scenario(url, settings=settings)
    world.loop = world.new_loop(monotonic=lambda: world.clock.now().timestamp())
    return world


def job_rows(world: Scenario) -> set[object]:
    world.read_model.catch_up()
    with world.database.connect() as connection:
        return set(connection.execute(sa.select(LIVE.job.c.job_id)).scalars())


def removal(world: Scenario, fail: bool) -> object:
    vm_id, disks = world.add_vm(world.add_pool(), disks=1, name="failing" if fail else "fine")
    if fail:
        world.spm.fail_delete.add(disks[0])  # type: ignore[attr-defined]
    job_id = world.remove_vm(vm_id).job_id
    world.drive()
    return job_id


def after(world: Scenario, minutes: float) -> None:
    world.clock.advance(minutes * MINUTE)
    world.loop.step()


def test_delete_completed_jobs_older_than_date_keeps_failed_jobs_six_times_longer(
    database_url: str,
) -> None:
    world = cleaning_world(database_url)
    finished, failed = removal(world, fail=False), removal(world, fail=True)
    ours = {finished, failed}
    assert job_rows(world) >= ours

    after(world, 9)
    assert job_rows(world) & ours == {finished, failed}
    after(world, 2)
    assert job_rows(world) & ours == {failed}
    after(world, 50)
    assert job_rows(world) == set()  # AddVm's jobs went too

    cleaned = world.store.load(Job, finished)  # type: ignore[arg-type]
    assert cleaned.deleted
    assert world.names_of(finished)[-1] == "CleanedUp"  # type: ignore[arg-type]


def test_an_external_job_not_auto_cleared_stays_until_clear_external_job(
    database_url: str,
) -> None:
    world = cleaning_world(database_url)
    added = world.engine.run_action("AddExternalJob", {"description": "backup"}, user="ext")
    job_id = added.action_return_value
    world.drive()
    world.engine.run_action("EndExternalJob", {"job_id": job_id}, user="ext")
    world.drive()
    after(world, 24 * 60)
    assert not world.store.load(Job, job_id).deleted

    world.engine.run_action("ClearExternalJob", {"job_id": job_id}, user="ext")
    world.drive()
    after(world, 1)
    assert world.store.load(Job, job_id).deleted
