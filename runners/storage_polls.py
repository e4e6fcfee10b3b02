"""The timed duties of an engine round: polling the storage pools, and the callback sweep.

oVirt's SPMGetAllTasksStatuses asks each pool's SPM about its tasks once per poll interval;
what changed is recorded in the round's unit of work and fed to the round's due work at once.
The sweep is the callback poller's safety net: every callback command is re-checked, with
back-off. What to poll is read from the read model only after an event of a storage task was
stored or followed, so a poll in which nothing changed reads nothing.

The SPM's answer lists every task of the pool: one that no AsyncTask records is an orphan
candidate (``runners.orphan_watch``), adopted as oVirt's Unknown task once its grace has passed
(``domain.services.orphans``) by the engine holding the pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.services import orphans, task_tracking
from tasktrail.domain.services.ports import Ports, TaskReport
from tasktrail.domain.services.reactions import Due
from tasktrail.projections import in_flight
from tasktrail.runners.callback_timing import CallbackTiming
from tasktrail.runners.leases import Leases
from tasktrail.runners.orphan_watch import OrphanWatch, grace_for
from tasktrail.runners.retries import Retries
from tasktrail.runners.unit_of_work import UnitOfWork

log = logging.getLogger("tasktrail.engine")

Polled = dict[UUID, list[task_tracking.PolledTask]]
Unsettled = list[tuple[UUID, UUID]]


class StoragePolls:
    def __init__(
        self,
        ports: Ports,
        due: Due,
        database: sa.Engine,
        *,
        leases: Leases,
        retries: Retries,
        timing: CallbackTiming,
        monotonic: Callable[[], float],
        poll_interval: float,
    ) -> None:
        self.ports = ports
        self.due = due
        self.database = database
        self.leases = leases
        self.retries = retries
        self.timing = timing
        self.monotonic = monotonic
        self.poll_interval = poll_interval
        self._next_poll = 0.0
        self._next_sweep = 0.0
        self._polling = False
        """Whether the last poll found tasks (or tasks were handed to the storage since)."""
        self._tasks: tuple[Polled, Unsettled] = ({}, [])
        self._stale = True
        self.orphans = OrphanWatch(database, monotonic, grace_for(poll_interval))
        self._next_discovery = 0.0
        """When every pool's SPM is next asked for its tasks (monotonic): at the first poll
        (addStoragePoolExistingTasks), then once per grace, which also covers pools taken
        over from another engine and an SPM that did not answer."""

    def tasks_changed(self) -> None:
        """An event of a storage task was stored or followed: read the tasks again."""
        self._stale = True

    def submitted(self) -> None:
        """Tasks were handed to the storage: the next poll is a duty."""
        self._polling = True

    def next_duty(self) -> float:
        """When the next timed duty is due (monotonic): the sweep, or the poll while there is
        something to poll."""
        return min([self._next_sweep, *([self._next_poll] if self._polling else [])])

    @property
    def polling(self) -> bool:
        """Whether the storage has tasks this engine polls (so polls come once per interval)."""
        return self._polling

    def next_poll(self) -> float:
        """When the next poll is due (monotonic), while ``polling``."""
        return self._next_poll

    def poll(self, uow: UnitOfWork, events: list[object]) -> None:
        """oVirt's SPMGetAllTasksStatuses: once per pool with tasks Polling, per interval."""
        now = self.monotonic()
        if now < self._next_poll:
            return
        pools, unsettled = self._storage_tasks()
        self.due.add("tasks_ended", *(t for t, root in unsettled if self.leases.owns(root)))
        for pool_id in self._pools_to_poll(pools, now):
            if self.leases.owns(pool_id) and self.retries.allowed(pool_id, now):
                self._poll_pool(uow, events, pool_id, pools.get(pool_id, []))
        self._polling = bool(pools or unsettled or self.orphans.pools())
        if self._polling:
            self._next_poll = now + self.poll_interval

    def _pools_to_poll(self, pools: Polled, now: float) -> list[UUID]:
        """Pools with tasks Polling, pools with orphan candidates, and now and then every pool
        (oVirt asks each SPM for its existing tasks when it starts)."""
        targets = dict.fromkeys(pools)
        targets.update(dict.fromkeys(sorted(self.orphans.pools())))
        if now >= self._next_discovery:
            self._next_discovery = now + self.orphans.grace
            targets.update(dict.fromkeys(in_flight.storage_pools(self.database)))
        return list(targets)

    def _storage_tasks(self) -> tuple[Polled, Unsettled]:
        if self._stale:
            self._tasks = in_flight.polling(self.database), in_flight.unsettled_tasks(self.database)
            self._stale = False
        return self._tasks

    def _poll_pool(
        self,
        uow: UnitOfWork,
        events: list[object],
        pool_id: UUID,
        tasks: list[task_tracking.PolledTask],
    ) -> None:
        try:
            reports = self.ports.storage.get_all_task_statuses(pool_id)
        except Exception as error:  # noqa: BLE001 - the pool waits; its tasks are asked again
            self.retries.failed(pool_id, self.monotonic())
            log.warning("the SPM of pool %s did not answer: %s", pool_id, error)
            return
        self.retries.succeeded(pool_id)
        polled = {t.vdsm_task_id for t in tasks}
        for vdsm_task_id in self.orphans.seen(pool_id, reports, polled):
            self._adopt(uow, events, pool_id, vdsm_task_id)
        now = self.ports.clock.now()
        by_vdsm_id = {t.task_id: t.vdsm_task_id for t in tasks}
        for task_id in task_tracking.changed(self.ports, tasks, reports, now):
            self._report(uow, events, task_id, reports.get(by_vdsm_id[task_id]))

    def _report(
        self, uow: UnitOfWork, events: list[object], task_id: UUID, report: TaskReport | None
    ) -> None:
        mark = len(events)
        try:
            with uow.savepoint():
                task_tracking.record_report(self.ports, uow, task_id, report)
        except Exception as error:
            del events[mark:]
            log.warning("could not record the poll of task %s", task_id, exc_info=error)
            return
        for event in events[mark:]:
            self.due.observe(event)  # type: ignore[arg-type]

    def _adopt(
        self, uow: UnitOfWork, events: list[object], pool_id: UUID, vdsm_task_id: str
    ) -> None:
        """An SPM task no AsyncTask recorded for the whole grace: recorded as oVirt's Unknown
        task and polled from the next poll on; nothing of it is due work for a command."""
        mark = len(events)
        try:
            with uow.savepoint():
                adopted = orphans.adopt(self.ports, uow, pool_id, vdsm_task_id)
        except Exception as error:
            del events[mark:]
            log.warning("could not adopt SPM task %s", vdsm_task_id, exc_info=error)
            return
        if adopted:
            log.warning(
                "SPM task %s of pool %s has been unknown for %.0f s: no command recorded it; "
                "adopted as a task of ActionType Unknown, polled and cleared once it ends",
                vdsm_task_id,
                pool_id,
                self.orphans.grace,
            )

    def sweep(self) -> None:
        """The callback poller's safety net: each callback command re-checked with back-off."""
        now = self.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.timing.initial
        commands = in_flight.callback_commands(self.database)
        self.timing.forget_all_but({c for c, _ in commands})
        for command_id, root in commands:
            if self.leases.owns(root):
                self.timing.track(command_id, now)
        for command_id in self.timing.due(now):
            self.timing.back_off(command_id, now)
            self.due.add("advance", command_id)
