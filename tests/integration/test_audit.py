"""Audit queries over a history with a finished, a failed and a still-running RemoveVm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import lock_id
from tasktrail.projections.audit import AuditQuery, events, failed_commands
from tasktrail.projections.read_model import ReadModel
from tests.scenario import Scenario


@dataclass
class History:
    world: Scenario
    model: ReadModel
    done: UUID
    failed: UUID
    running: UUID
    vms: dict[str, UUID]
    started: dict[str, datetime]


@pytest.fixture
def history(database_url: str) -> History:
    world = Scenario(database_url)
    pool = world.add_pool()
    vms = {
        name: world.add_vm(pool, disks=1, name=name)[0] for name in ("done", "failed", "running")
    }
    world.spm.fail_delete.add(world.store.load(Vm, vms["failed"]).disk_ids[0])  # type: ignore[attr-defined]
    world.spm.hold.add(world.store.load(Vm, vms["running"]).disk_ids[0])  # type: ignore[attr-defined]
    roots, started = {}, {}
    for name, user in (("done", "alice"), ("failed", "alice"), ("running", "bob")):
        world.clock.advance(60)
        started[name] = world.clock.now()
        returned = world.engine.run_action(
            "RemoveVm", {"vm_id": str(vms[name])}, user=user, correlation_id=f"corr-{name}"
        )
        assert returned.command_id is not None
        roots[name] = returned.command_id
    for _ in range(5):
        world.loop.step()
    model = world.read_model
    return History(world, model, roots["done"], roots["failed"], roots["running"], vms, started)


def aggregates(page_events: list[dict[str, object]]) -> set[object]:
    return {e["aggregate_id"] for e in page_events}


def family_of(world: Scenario, root: UUID) -> set[UUID]:
    """Every aggregate a root command's family touched, read from the aggregates themselves."""
    commands = world.family(root)
    job = world.store.load(Job, commands[0].job_id)  # type: ignore[arg-type]
    tasks = {
        e.originator_id
        for e in world.events_since(0)
        if type(e).__qualname__ == "AsyncTask.Created" and e.command_id in {c.id for c in commands}
    }
    return {c.id for c in commands} | {job.id, *job.step_ids} | tasks


def test_an_entity_history_follows_the_vm_into_its_commands_families(history: History) -> None:
    world, vm = history.world, history.vms["failed"]
    found = events(history.model, AuditQuery(entity=vm, limit=10_000))
    add_vm = next(
        e.originator_id
        for e in world.events_since(0)
        if isinstance(e, Command.Created)
        and e.action_type == "AddVm"
        and e.parameters["vm_id"] == str(vm)
    )

    expected = (
        family_of(world, history.failed)
        | family_of(world, add_vm)
        | {vm, *world.store.load(Vm, vm).disk_ids, lock_id("VM", vm)}
    )
    assert aggregates(found.events) == expected
    assert found.next_offset is None


def test_correlation_id_user_and_action_type_select_exactly_their_events(history: History) -> None:
    model, world = history.model, history.world
    by_corr = events(model, AuditQuery(correlation_id="corr-running", limit=10_000)).events
    assert {e["correlation_id"] for e in by_corr} == {"corr-running"}
    assert aggregates(by_corr) == family_of(world, history.running) | {
        history.vms["running"],
        *world.store.load(Vm, history.vms["running"]).disk_ids,
        lock_id("VM", history.vms["running"]),
    }
    assert {e["user"] for e in events(model, AuditQuery(user="bob", limit=10_000)).events} == {
        "bob"
    }
    images = events(model, AuditQuery(action_type="RemoveImage", limit=10_000)).events
    image_ids = {
        c.id
        for root in (history.done, history.failed, history.running)
        for c in world.family(root)
        if c.action_type == "RemoveImage"
    }
    assert {e["aggregate_id"] for e in images if e["aggregate_type"] == "Command"} == image_ids
    assert {e["aggregate_type"] for e in images} == {"Command", "AsyncTask", "Step", "Job", "Disk"}


def test_transitions_into_failed_are_exactly_the_failed_flows(history: History) -> None:
    failed = events(history.model, AuditQuery(to_state="FAILED", limit=10_000)).events
    assert sorted((e["aggregate_type"], e["event_type"]) for e in failed) == sorted(
        [
            ("Command", "Failed"),
            ("Command", "Failed"),
            ("Step", "Failed"),
            ("Step", "Failed"),
            ("Job", "Failed"),
        ]
    )
    assert {e["correlation_id"] for e in failed} == {"corr-failed"}


def test_failed_commands_name_the_step_and_the_storage_error(history: History) -> None:
    [failure] = failed_commands(history.model)
    assert failure.command_id == history.failed
    assert (failure.command_type, failure.user, failure.correlation_id) == (
        "RemoveVm",
        "alice",
        "corr-failed",
    )
    assert (failure.failed_step_type, failure.failed_step_number) == ("DELETE_IMAGE", 0)
    assert failure.storage_error == "Image deletion failed"
    assert failure.messages[0].startswith("CHILD_COMMAND_FAILED: RemoveImage")


def test_pages_go_newest_first_without_gaps_or_repeats(history: History) -> None:
    everything = events(history.model, AuditQuery(limit=10_000)).events
    first = events(history.model, AuditQuery(newest_first=True, limit=7))
    second = events(
        history.model, AuditQuery(newest_first=True, limit=7, offset=first.next_offset or 0)
    )
    positions = [e["position"] for e in first.events + second.events]
    assert positions == sorted((e["position"] for e in everything), reverse=True)[:14]
    assert first.next_offset == 7


def test_time_ranges_bound_the_history(history: History) -> None:
    since = events(history.model, AuditQuery(since=history.started["failed"], limit=10_000)).events
    until = events(
        history.model,
        AuditQuery(until=history.started["failed"] - timedelta(seconds=1), limit=10_000),
    ).events

    def created(rows: list[dict[str, object]]) -> set[object]:
        return {e["aggregate_id"] for e in rows if e["event_type"] == "Created"}

    assert {history.failed, history.running} <= created(since)
    assert history.done not in created(since)
    assert history.done in created(until)
    assert "corr-failed" not in {e["correlation_id"] for e in until}
    assert all(e["timestamp"] >= history.started["failed"] for e in since)
