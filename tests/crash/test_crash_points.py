"""Kill the engine at every save; a restarted engine must finish the job as if nothing happened.

For RemoveVm with 3 disks, ``tasktrail serve`` runs in a real process that SIGKILLs itself at
its k-th save of events: right after it commits (TASKTRAIL_CRASH_AFTER_SAVES=k), and right
before it commits, after the round's storage calls (TASKTRAIL_CRASH_BEFORE_SAVES=k), for every
k until a run makes fewer than k saves and ends by itself. A second ``serve`` then runs to the
end, and the outcome must be the uninterrupted run's: same job, step and command statuses, VM
and disks gone (or the failed disk ILLEGAL), no lock held, no storage task left.
"""

from __future__ import annotations

import signal
from uuid import UUID

import pytest

from tasktrail.runners.crash_points import AFTER, BEFORE
from tests.deployment import Deployment

pytestmark = pytest.mark.timeout(600)
MOST_SAVES = 12
"""A RemoveVm with 3 disks takes 3 saves of an engine when nothing goes wrong; far fewer than
this, so a run that does not end by the time k reaches it is a bug."""


def removal(deployment: Deployment, fail_disk: int | None) -> tuple[UUID, list[UUID], UUID]:
    [(vm_id, disks)] = deployment.vms(1)
    if fail_disk is not None:
        deployment.spm.inject_fault(disks[fail_disk], "delete")
    return vm_id, disks, deployment.validate_removal(vm_id)


def crashed_then_finished(deployment: Deployment, crash: dict[str, str]) -> bool:
    """True if the engine crashed as asked (and a second one then finished the work)."""
    code, errors = deployment.serve_until_idle(**crash)
    if code == 0:
        return False
    assert code == -signal.SIGKILL, errors
    code, errors = deployment.serve_until_idle()
    assert code == 0, errors
    return True


@pytest.mark.slow
@pytest.mark.parametrize("fail_disk", [None, 1], ids=["success", "storage-failure"])
@pytest.mark.parametrize("when", [AFTER, BEFORE], ids=["after-save", "before-save"])
def test_every_crash_point_reaches_the_uninterrupted_outcome(
    database_url: str, fail_disk: int | None, when: str
) -> None:
    deployment = Deployment(database_url)
    vm_id, disks, root = removal(deployment, fail_disk)
    code, errors = deployment.serve_until_idle()
    assert code == 0, errors
    expected = deployment.outcome(vm_id, disks, root)
    assert expected["job"] == ("FINISHED" if fail_disk is None else "FAILED")
    assert (expected["lock"], expected["spm_tasks"]) == ("FREE", 0)

    crash_points = 0
    for k in range(1, MOST_SAVES + 1):
        vm_id, disks, root = removal(deployment, fail_disk)
        if not crashed_then_finished(deployment, {when: str(k)}):
            break
        crash_points += 1
        assert deployment.outcome(vm_id, disks, root) == expected, (when, k)
    assert 3 <= crash_points < MOST_SAVES
