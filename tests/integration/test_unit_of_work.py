"""A savepoint undoes only what its block did, whatever the unit of work held before it."""

from __future__ import annotations

import pytest

from tasktrail.domain.model.inventory.vm import Vm, VmStatus
from tests.scenario import Scenario


def test_a_savepoint_undoes_its_block_and_keeps_what_came_before(database_url: str) -> None:
    world = Scenario(database_url)
    pool = world.add_pool()
    first, _ = world.add_vm(pool, disks=1, name="a")
    second, _ = world.add_vm(pool, disks=1, name="b")
    uow = world.uow()
    before = uow.get(Vm, first)
    before.run(world.ports.cause_for(before))

    def undone() -> None:
        with uow.savepoint():
            before.stop(world.ports.cause_for(before))
            inside = uow.get(Vm, second)
            inside.run(world.ports.cause_for(inside))
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        undone()

    assert uow.touched == [first]
    assert before.state is VmStatus.UP
    assert [type(e).__name__ for e in before.pending_events] == ["Started"]
    uow.commit()
    assert world.load(Vm, first).state is VmStatus.UP
    assert world.load(Vm, second).state is VmStatus.DOWN
