"""One engine's rounds: follow the log, then decide everything that is due and save it once.

A round reads what other processes stored (``Follower``), turns those events into due work
(``domain.services.reactions``), and then decides all of it in one unit of work: commands to
execute, polls of the storage pools whose interval came round, commands whose children or
tasks ended, parents of commands that ended, tasks to clear, the callback sweep. What each
decision records is fed back at once, so a task's end reaches its command, its parent and the
root in the same round, and the whole round is saved in one transaction (group commit). Tasks
recorded in a round are handed to the storage after that save, and their submission saved.

Nothing is lost by failing. A decision that throws is undone (savepoint) and tried again after
a back-off while the others go on; a save that fails puts every decision of the round back;
a lost race (another engine saved first) evicts what it touched and the round is decided again.

The timed duties (storage polls, the callback sweep) are in ``runners.storage_polls``; what
decides each kind of due work is in ``runners.reaction_table``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.model.aggregate import recording
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.errors import ConcurrencyError
from tasktrail.domain.services.ports import EngineNotice, Ports
from tasktrail.domain.services.reactions import Due
from tasktrail.domain.services.restart import RestartPolicy
from tasktrail.projections import in_flight
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.callback_timing import CallbackTiming
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.follower import Follower
from tasktrail.runners.housekeeping import JobCleanup
from tasktrail.runners.leases import Leases, SoleEngine
from tasktrail.runners.reaction_table import EFFECTS, KINDS, FollowUps
from tasktrail.runners.reaction_table import REACTIONS as _REACTIONS
from tasktrail.runners.restart import restart_as_ovirt
from tasktrail.runners.retries import Retries
from tasktrail.runners.storage_polls import StoragePolls
from tasktrail.runners.unit_of_work import UnitOfWork

log = logging.getLogger("tasktrail.engine")

MAX_DECISIONS = 100_000
"""A round that keeps finding work this long is cut, saved, and the rest left for the next."""


class EngineLoop:
    def __init__(
        self,
        ports: Ports,
        store: EventStore,
        cache: AggregateCache,
        follower: Follower,
        *,
        leases: Leases | None = None,
        notify: Callable[[EngineNotice], None] | None = None,
        poll_interval: float = 0.5,
        timing: CallbackTiming | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        retries: Retries | None = None,
        restart_policy: RestartPolicy = RestartPolicy.RESUME,
    ) -> None:
        """``poll_interval``: least seconds between two SPM polls of the storage pools;
        ``restart_policy``: what ``start`` does with work left in flight (domain.services.restart).
        """
        self.ports = ports
        self.store = store
        self.cache = cache
        self.follower = follower
        self.leases = leases or SoleEngine()
        self.notify = notify
        self.poll_interval = poll_interval
        self.timing = timing or CallbackTiming()
        self.monotonic = monotonic
        self.retries = retries or Retries()
        self.due = Due()
        self.rounds = 0
        self.commits = 0
        self._own: set[int] = set()
        self._started = False
        self.job_cleanup = JobCleanup(ports, self.database, monotonic)
        self.polls = StoragePolls(
            ports,
            self.due,
            self.database,
            leases=self.leases,
            retries=self.retries,
            timing=self.timing,
            monotonic=monotonic,
            poll_interval=poll_interval,
        )
        self.restart_policy = restart_policy

    @property
    def database(self) -> sa.Engine:
        return self.follower.read_model.engine

    def start(self) -> None:
        """Catches up with the log and takes on whatever is in flight (left by any engine)."""
        self.follower.start()
        self.leases.renew()
        if self.restart_policy is RestartPolicy.OVIRT:
            self._restart_as_ovirt()
        self._take_on_in_flight()
        self._started = True

    def _restart_as_ovirt(self) -> None:
        """oVirt's start-up decisions, saved before anything is taken on (and followed, so
        the read model shows them to ``_take_on_in_flight``)."""
        uow = self._uow()
        restart_as_ovirt(self.ports, uow, self.database, self.leases.owns)
        uow.commit()
        self.follower.follow()

    def _take_on_in_flight(self) -> None:
        found = in_flight.in_flight(self.database)
        for kind, items in (
            ("execute", found.to_execute),
            ("advance", found.to_advance),
            ("submit", found.to_submit),
            ("tasks_ended", found.to_settle),
        ):
            self.due.add(kind, *(item for item, root in items if self.leases.owns(root)))

    def step(self) -> bool:
        """One round of every duty; True while anything is still in flight."""
        if not self._started:
            self._guarded("start", self.start)
            if not self._started:
                return True
        self.rounds += 1
        self._guarded("follow the log", self._follow)
        self._guarded("renew leases", self._renew)
        self._guarded("decide", self._decide)
        self._guarded("call the storage", self._call_storage)
        self._guarded("follow the log", self._follow)
        return self.busy()

    def busy(self) -> bool:
        if self.due or self.due.submit or self.due.clear:
            return True
        try:
            return in_flight.anything_in_flight(self.database)
        except sa.exc.SQLAlchemyError:
            return True

    def _guarded(self, duty: str, work: Callable[[], object]) -> None:
        """A duty that fails is logged and tried again next round; the others go on."""
        try:
            work()
        except ConcurrencyError:
            log.debug("another engine or thread moved first while trying to %s", duty)
        except Exception:
            log.warning("could not %s; will try again next round", duty, exc_info=True)

    def _follow(self) -> None:
        for recorded in self.follower.follow():
            if isinstance(recorded.event, AsyncTask.Event):
                self.polls.tasks_changed()
            if recorded.position in self._own:
                self._own.discard(recorded.position)
            else:
                self.due.observe(recorded.event)

    def _renew(self) -> None:
        gained = self.leases.renew()
        if gained:
            self._take_on_in_flight()

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.store, self.cache, self.notify)

    def _decide(self) -> None:
        """Everything due now, decided in one unit of work and saved in one transaction."""
        uow = self._uow()
        taken: list[tuple[str, UUID]] = []
        with recording() as events:
            self.polls.poll(uow, events)
            self.polls.sweep()
            self.job_cleanup.run(uow, self.leases.owns)
            self._cascade(uow, events, taken)
        self._save(uow, taken)

    def _cascade(
        self, uow: UnitOfWork, events: list[object], taken: list[tuple[str, UUID]]
    ) -> None:
        """Decides due work until none is left; what each decision records may make more.

        Work in back-off stays due but waits for a later round.
        """
        waiting: set[UUID] = set()
        for _ in range(MAX_DECISIONS):
            item = self._next_item(waiting)
            if item is None:
                return
            taken.append(item)
            if not self._decision(uow, events, *item):
                waiting.add(item[1])  # decided again next round, from a fresh view

    def _next_item(self, waiting: set[UUID]) -> tuple[str, UUID] | None:
        now = self.monotonic()
        for kind in KINDS:
            ids: dict[UUID, None] = getattr(self.due, kind)
            for item_id in [i for i in ids if i not in waiting]:
                if not self.retries.allowed(item_id, now):
                    waiting.add(item_id)
                    continue
                del ids[item_id]
                return kind, item_id
        return None

    def _decision(self, uow: UnitOfWork, events: list[object], kind: str, item_id: UUID) -> bool:
        """False when it threw (undone): this round's unit of work cannot decide it."""
        mark = len(events)
        try:
            with uow.savepoint():
                follow_ups = self._react(uow, kind, item_id)
        except Exception as error:  # noqa: BLE001 - undone, logged, tried again after a back-off
            del events[mark:]
            self._failed(kind, item_id, error)
            return False
        self.retries.succeeded(item_id)
        for follow_up in follow_ups:
            self.due.add(*follow_up)
        if kind == "advance":
            self.timing.track(item_id, self.monotonic())
        for event in events[mark:]:
            self.due.observe(event)  # type: ignore[arg-type]
        return True

    def _react(self, uow: UnitOfWork, kind: str, item_id: UUID) -> FollowUps:
        if not self._owns(uow, kind, item_id):
            return []
        done = _REACTIONS[kind](self.ports, uow, item_id)
        return done if isinstance(done, list) else []

    def _owns(self, uow: UnitOfWork, kind: str, item_id: UUID) -> bool:
        if isinstance(self.leases, SoleEngine):
            return True
        if kind in ("tasks_ended", "submit", "clear"):
            task = uow.find(AsyncTask, item_id)  # None: recorded by a round never saved
            return task is not None and self.leases.owns(task.root_command_id)
        return self.leases.owns(uow.get(Command, item_id).root_command_id)

    def _failed(self, kind: str, item_id: UUID, error: Exception) -> None:
        self.due.add(kind, item_id)
        if isinstance(error, ConcurrencyError):
            return
        delay = self.retries.failed(item_id, self.monotonic())
        log.warning(
            "could not %s %s (failure %d in a row); retrying in %.0f s",
            kind,
            item_id,
            self.retries.failures(item_id),
            delay,
            exc_info=error,
        )

    def _save(self, uow: UnitOfWork, taken: list[tuple[str, UUID]]) -> None:
        """One transaction for the whole round; if it fails, the round's work is due again."""
        if any(isinstance(e, AsyncTask.Event) for e in uow.pending):
            self.polls.tasks_changed()
        try:
            uow.commit()
        except BaseException as error:
            for kind, item_id in taken:
                self.due.add(kind, item_id)
            if isinstance(error, ConcurrencyError):
                self.cache.evict(uow.touched)
            raise
        self._saved(uow)

    def _saved(self, uow: UnitOfWork) -> None:
        if uow.positions:
            self.commits += 1
            self._own.update(uow.positions)

    def _call_storage(self) -> None:
        """What waited for a save: tasks handed to the storage, and ended tasks cleared there.

        Their outcomes are saved at once, with whatever follows from them.
        """
        if not (self.due.submit or self.due.clear):
            return
        uow = self._uow()
        taken: list[tuple[str, UUID]] = []
        now = self.monotonic()
        with recording() as events:
            for kind in EFFECTS:
                ids: dict[UUID, None] = getattr(self.due, kind)
                for item_id in [i for i in ids if self.retries.allowed(i, now)]:
                    del ids[item_id]
                    taken.append((kind, item_id))
                    self._decision(uow, events, kind, item_id)
            self._cascade(uow, events, taken)
        self._save(uow, taken)
        if any(kind == "submit" for kind, _ in taken):
            self.polls.submitted()

    def wait_time(self) -> float:
        """Seconds until the next timed duty (a poll or a sweep); 0 when work is due now.

        The poll is a duty only while the last one found something to poll: with nothing in
        flight on the storage side, only the sweep (or a wake-up) ends the wait.
        """
        if self.due:
            return 0.0
        return max(0.0, self.polls.next_duty() - self.monotonic())

    def run_until_idle(self, max_steps: int = 200) -> int:
        """Steps until nothing is in flight, waiting for timed duties; raises if it never ends."""
        for taken in range(1, max_steps + 1):
            if not self.step():
                return taken
            time.sleep(self.wait_time())
        raise RuntimeError(f"still in flight after {max_steps} steps: {self.due}")
