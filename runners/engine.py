"""The engine's entry points (oVirt's Backend): run an action, run many.

``run_action`` validates in the caller's thread and saves at once, then wakes the engine loop
that executes it. It judges by the store as it stands: the aggregate cache is synced first.
A rival taking a lock between our check and our save makes the save fail; we then look again
(and are refused if the lock is still held).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any

from domain.model.errors import ConcurrencyError
from domain.services import validation
from domain.services.command_base import ActionParameters
from domain.services.locks import conflicts
from domain.services.ports import EngineNotice, Ports
from domain.services.return_value import ActionReturnValue
from runners.aggregate_cache import AggregateCache
from runners.event_store import EventStore
from runners.unit_of_work import UnitOfWork

Params = Mapping[str, Any] | ActionParameters
Mapper = Callable[[Callable[[Any], ActionReturnValue], Iterable[Any]], Iterator[ActionReturnValue]]
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
        map_concurrently: Mapper = map,
    ) -> None:
        self.ports = ports
        self.store = store
        self.cache = cache
        self.notify = notify
        self.wake = wake
        self.map_concurrently = map_concurrently

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
        returned = self._recorded(action_type, params, user, correlation_id, abandon=False)
        self.wake()
        return returned

    def _recorded(
        self,
        action_type: StrEnum | str,
        params: Params,
        user: str,
        correlation_id: str | None,
        *,
        abandon: bool,
    ) -> ActionReturnValue:
        """Validation saved; with ``abandon``, a valid command is saved refused instead."""
        self._wait_for_locks(action_type, params)
        for attempt in range(_LOCK_RACE_ATTEMPTS):
            self.cache.sync(self.store.read)
            uow = self.unit_of_work()
            returned = validation.validate_action(
                self.ports, uow, action_type, params, user=user, correlation_id=correlation_id
            )
            if abandon and returned.valid and returned.command_id is not None:
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
        params_list: list[Params],
        *,
        user: str,
        correlation_id: str | None = None,
        run_only_if_all_valid: bool = False,
    ) -> list[ActionReturnValue]:
        """Each action validated; the valid ones run (with ``run_only_if_all_valid``, only if
        every one is valid: checked first without recording, then recorded)."""
        if run_only_if_all_valid:
            checks = [self.check(action_type, p, user, correlation_id) for p in params_list]
            if not all(c.valid for c in checks):
                return [
                    self._recorded(action_type, p, user, correlation_id, abandon=True)
                    for p in params_list
                ]
        returned = list(
            self.map_concurrently(
                lambda p: self._recorded(action_type, p, user, correlation_id, abandon=False),
                params_list,
            )
        )
        self.wake()
        return returned

    def check(
        self, action_type: StrEnum | str, params: Params, user: str, correlation_id: str | None
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
