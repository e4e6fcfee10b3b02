"""oVirt's own Python SDK (ovirtsdk4) against a live API: nothing between them but HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import ovirtsdk4 as sdk
import pytest
from ovirtsdk4 import types

from tests.api.conftest import ADMIN, LiveApi

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def connection(live_api: LiveApi) -> Iterator[sdk.Connection]:
    name, password = ADMIN
    opened = sdk.Connection(url=live_api.ovirt, username=name, password=password, timeout=30)
    yield opened
    opened.close()


def add_vm(connection: sdk.Connection, live_api: LiveApi, name: str, disks: int = 2) -> types.Vm:
    vm = types.Vm(
        name=name,
        cluster=types.Cluster(data_center=types.DataCenter(id=str(live_api.pool_id))),
        disk_attachments=[types.DiskAttachment() for _ in range(disks)],
    )
    return connection.system_service().vms_service().add(vm)


def eventually(found: Callable[[], Any], seconds: float = 30) -> Any:
    """What ``found`` returns once it returns something truthy."""
    deadline = time.monotonic() + seconds
    while not (value := found()):
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)
    return value


def job_of(connection: sdk.Connection, correlation_id: str, ended: bool = True) -> types.Job:
    jobs = connection.system_service().jobs_service()

    def found() -> types.Job | None:
        listed = jobs.list(search=f"correlation_id={correlation_id}")
        if listed and (not ended or listed[0].status != types.JobStatus.STARTED):
            return listed[0]
        return None

    return eventually(found)


def test_the_sdk_logs_in_and_browses_the_api_root_vms_disks_and_data_centers(
    connection: sdk.Connection, live_api: LiveApi
) -> None:
    assert connection.test(raise_exception=True)
    system = connection.system_service()
    api = system.get()
    assert (api.product_info.name, api.product_info.version.major) == ("tasktrail", 4)
    assert api.authenticated_user.id is not None
    web = add_vm(connection, live_api, "web1", disks=3)
    add_vm(connection, live_api, "db1")
    assert web.status == types.VmStatus.DOWN
    vms = system.vms_service()
    assert [(v.id, v.name) for v in vms.list(search="name=web1")] == [(web.id, "web1")]
    assert {v.name for v in vms.list(search="name=*1")} == {"web1", "db1"}
    assert vms.list(search="name=nothing") == []
    attachments = vms.vm_service(web.id).disk_attachments_service().list()
    assert len(attachments) == 3
    disk = system.disks_service().disk_service(attachments[0].disk.id).get()
    assert disk.status == types.DiskStatus.OK
    assert disk.alias.startswith("web1_Disk")
    [data_center] = system.data_centers_service().list()
    assert (data_center.id, data_center.status) == (
        str(live_api.pool_id),
        types.DataCenterStatus.UP,
    )


def test_the_sdk_removes_a_vm_with_a_correlation_id_and_follows_its_job_to_the_end(
    connection: sdk.Connection, live_api: LiveApi
) -> None:
    vms = connection.system_service().vms_service()
    vm = add_vm(connection, live_api, "web2")
    vms.vm_service(vm.id).remove(async_=True, query={"correlation_id": "remove-web2"})
    job = job_of(connection, "remove-web2")
    assert job.status == types.JobStatus.FINISHED
    assert job.description == "Removing VM web2 from system"
    steps_service = connection.system_service().jobs_service().job_service(job.id).steps_service()
    steps = steps_service.list()
    assert {s.status for s in steps} == {types.StepStatus.FINISHED}
    top = [s.type for s in steps if s.parent_step is None]
    assert top == [types.StepEnum.VALIDATING, types.StepEnum.EXECUTING, types.StepEnum.FINALIZING]
    storage = [s for s in steps if s.external_type == types.ExternalSystemType.VDSM]
    assert len(storage) == 2
    assert steps_service.step_service(storage[0].id).get().job.id == job.id
    synchronous = add_vm(connection, live_api, "web3")
    vms.vm_service(synchronous.id).remove(query={"correlation_id": "remove-web3"})
    assert job_of(connection, "remove-web3", ended=False).start_time is not None


def test_the_sdk_lists_a_failed_jobs_steps_after_a_storage_fault(
    connection: sdk.Connection, live_api: LiveApi
) -> None:
    vm = add_vm(connection, live_api, "doomed", disks=2)
    vm_service = connection.system_service().vms_service().vm_service(vm.id)
    attachments = vm_service.disk_attachments_service().list()
    live_api.runtime.spm.inject_fault(UUID(attachments[1].disk.id), "delete")
    vm_service.remove(async_=True, query={"correlation_id": "remove-doomed"})
    job = job_of(connection, "remove-doomed")
    assert job.status == types.JobStatus.FAILED
    steps = connection.system_service().jobs_service().job_service(job.id).steps_service().list()
    failed = [s for s in steps if s.status == types.StepStatus.FAILED]
    assert [s.external_type for s in failed if s.parent_step is not None] == [
        types.ExternalSystemType.VDSM
    ]


def test_refusals_and_unknown_ids_are_faults_with_ovirts_codes(
    connection: sdk.Connection, live_api: LiveApi
) -> None:
    system = connection.system_service()
    running = system.vms_service().add(types.Vm(name="running", status=types.VmStatus.UP))
    with pytest.raises(sdk.Error) as refused:
        system.vms_service().vm_service(running.id).remove()
    assert refused.value.code == 409
    assert refused.value.fault.reason == "Operation Failed"
    assert "ACTION_TYPE_FAILED_VM_IS_RUNNING" in refused.value.fault.detail
    before = live_api.written()
    unknown = "6d1c2a8e-0000-4000-8000-000000000000"
    for lookup in (
        lambda: system.vms_service().vm_service(unknown).get(),
        lambda: system.vms_service().vm_service(unknown).remove(),
        lambda: system.jobs_service().job_service(unknown).get(),
        lambda: system.jobs_service().job_service(unknown).steps_service().list(),
        lambda: system.disks_service().disk_service("not-an-id").get(),
    ):
        with pytest.raises(sdk.NotFoundError):
            lookup()
    assert live_api.written() == before


def test_the_sdk_adds_and_ends_an_external_job_with_steps(connection: sdk.Connection) -> None:
    jobs = connection.system_service().jobs_service()
    job = jobs.add(types.Job(description="backup of web1", auto_cleared=True))
    assert (job.status, job.external, job.auto_cleared) == (types.JobStatus.STARTED, True, True)
    steps = jobs.job_service(job.id).steps_service()
    step = steps.add(types.Step(type=types.StepEnum.EXECUTING, description="copying"))
    nested = steps.add(
        types.Step(
            type=types.StepEnum.EXECUTING,
            description="one disk",
            parent_step=types.Step(id=step.id),
        )
    )
    assert (nested.parent_step.id, nested.number, nested.external) == (step.id, 0, True)
    steps.step_service(nested.id).end(succeeded=True)
    steps.step_service(step.id).end(succeeded=True)
    jobs.job_service(job.id).end(succeeded=True)
    ended = jobs.job_service(job.id).get()
    assert ended.status == types.JobStatus.FINISHED
    assert {s.status for s in steps.list()} == {types.StepStatus.FINISHED}


def test_only_external_jobs_are_ended_or_cleared_by_their_owners(
    connection: sdk.Connection, live_api: LiveApi
) -> None:
    vm = add_vm(connection, live_api, "internal")
    connection.system_service().vms_service().vm_service(vm.id).remove(
        query={"correlation_id": "remove-internal"}
    )
    internal = (
        connection.system_service()
        .jobs_service()
        .job_service(job_of(connection, "remove-internal").id)
    )
    for attempt in (lambda: internal.end(succeeded=False), internal.clear):
        with pytest.raises(sdk.Error) as refused:
            attempt()
        assert refused.value.code == 409
        assert "ACTION_TYPE_NOT_EXTERNAL" in refused.value.fault.detail
    external = connection.system_service().jobs_service().add(types.Job(description="x"))
    steps = connection.system_service().jobs_service().job_service(external.id).steps_service()
    with pytest.raises(sdk.NotFoundError):
        steps.add(
            types.Step(
                type=types.StepEnum.EXECUTING, description="y", parent_step=types.Step(id=vm.id)
            )
        )
