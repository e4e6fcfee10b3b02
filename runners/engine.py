"""The engine's entry points (oVirt's Backend): run an action, run many.

``run_action`` validates in the caller's thread and saves at once, then wakes the engine loop
that executes it. It judges by the store as it stands: the aggregate cache is synced first.
A rival taking a lock between our check and our save makes the save fail; we then look again
(and are refused if the lock is still held).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from functools import partial
from typing import Any

from tasktrail.domain.model.errors import ConcurrencyError
from tasktrail.domain.services import validation
from tasktrail.domain.services.command_base import ActionParameters
from tasktrail.domain.services.locks import conflicts
from tasktrail.domain.services.ports import EngineNotice, Ports
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.domain.services.validation import JobStart
from tasktrail.runners.aggregate_cache import AggregateCache
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.unit_of_work import UnitOfWork

Params = Mapping[str, Any] | ActionParameters
_LOCK_RACE_ATTEMPTS = 5
_LOCK_POLL = 0.05
"""Seconds between two looks at the locks a waiting command needs."""


def _nothing() -> None:
    return None


class Engine:
    def __init__(
        self,
        ports: Ports,
        store: EventStore,
        cache: AggregateCache,
        *,
        notify: Callable[[EngineNotice], None] | None = None,
        wake: Callable[[], None] = _nothing,
    ) -> None:
        self.ports = ports
        self.store = store
        self.cache = cache
        self.notify = notify
        self.wake = wake

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.store, self.cache, self.notify)

    def run_action(
        self,
        action_type: StrEnum | str,
        params: Params,
        *,
        user: str,
        correlation_id: str | None = None,
    ) -> ActionReturnValue:
        """Validates and records the command now; an engine loop executes it."""
        returned = self._recorded(action_type, params, user, correlation_id)
        self.wake()
        return returned

    def _recorded(
        self,
        action_type: StrEnum | str,
        params: Params,
        user: str,
        correlation_id: str | None,
        job_start: JobStart = JobStart.BEFORE_VALIDATION,
    ) -> ActionReturnValue:
        """Validation saved; with ``JobStart.NEVER``, a valid command is saved abandoned."""
        self._wait_for_locks(action_type, params)
        for attempt in range(_LOCK_RACE_ATTEMPTS):
            self.cache.sync(self.store.read)
            uow = self.unit_of_work()
            returned = validation.validate_action(
                self.ports,
                uow,
                action_type,
                params,
                user=user,
                correlation_id=correlation_id,
                job_start=job_start,
            )
            if job_start is JobStart.NEVER and returned.valid and returned.command_id:
                validation.abandon(self.ports, uow, returned.command_id)
            try:
                uow.commit()
            except ConcurrencyError:
                if attempt == _LOCK_RACE_ATTEMPTS - 1:
                    raise
                continue
            return returned
        raise AssertionError("unreachable")

    def _wait_for_locks(self, action_type: StrEnum | str, params: Params) -> None:
        """oVirt's acquireLockWait: a command with ``lock_wait`` waits (up to it) until no
        other command holds its exclusive locks; validation then answers as usual.
        """
        cls = self.ports.registry.command_class(action_type)
        if cls.lock_wait is None:
            return
        locks = cls(cls.parse(params)).locks()
        deadline = time.monotonic() + cls.lock_wait
        while time.monotonic() < deadline:
            self.cache.sync(self.store.read)
            if not conflicts(self.unit_of_work(), locks):
                return
            time.sleep(min(_LOCK_POLL, max(0.0, deadline - time.monotonic())))

    def run_multiple_actions(
        self,
        action_type: StrEnum | str,
        params_list: Sequence[Params],
        *,
        user: str,
        correlation_id: str | None = None,
        run_only_if_all_valid: bool = False,
    ) -> list[ActionReturnValue]:
        """oVirt's PrevalidatingMultipleActionsRunner: each action validated (chunks of 10 at
        once, locks taken), one return value per action in order; only valid ones get a job
        and run. With ``run_only_if_all_valid`` none runs unless all are valid (checked first,
        then each recorded, the valid ones abandoned with their locks freed).
        """
        cls = self.ports.registry.command_class(action_type)
        params_list = [cls.parse(p) for p in params_list]  # a malformed one records nothing
        record = partial(self._recorded, action_type, user=user, correlation_id=correlation_id)
        job_start = JobStart.AFTER_VALIDATION
        if run_only_if_all_valid:
            check = partial(self.check, action_type, user=user, correlation_id=correlation_id)
            if not all(c.valid for c in _in_chunks(check, params_list)):
                job_start = JobStart.NEVER
        returned = _in_chunks(partial(record, job_start=job_start), params_list)
        self.wake()
        return returned

    def check(
        self,
        action_type: StrEnum | str,
        params: Params,
        *,
        user: str,
        correlation_id: str | None = None,
    ) -> ActionReturnValue:
        """Validation alone: what run_action would answer, with nothing recorded."""
        self.cache.sync(self.store.read)
        return validation.validate_action(
            self.ports,
            self.unit_of_work(),
            action_type,
            params,
            user=user,
            correlation_id=correlation_id,
        )


CONCURRENT_ACTIONS = 10
"""How many actions of a multiple run are validated at once (oVirt's CONCURRENT_ACTIONS)."""


def _in_chunks(
    work: Callable[[Params], ActionReturnValue], params_list: Sequence[Params]
) -> list[ActionReturnValue]:
    """``work`` on each, in order: one alone in this thread, else chunk after chunk of 10 in
    threads (ThreadPoolUtil.invokeAll in oVirt)."""
    if len(params_list) <= 1:
        return [work(p) for p in params_list]
    done: list[ActionReturnValue] = []
    with ThreadPoolExecutor(CONCURRENT_ACTIONS, thread_name_prefix="validate") as pool:
        for start in range(0, len(params_list), CONCURRENT_ACTIONS):
            done += pool.map(work, params_list[start : start + CONCURRENT_ACTIONS])
    return done
