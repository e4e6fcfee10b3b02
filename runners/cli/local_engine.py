"""An engine loop in this process, driven until a command has ended (``demo``, ``run --wait``).

``run_action`` only validates and records; a CLI command that wants the result now runs the
rounds here. The loop takes its share of the work like any ``serve`` (partition leases on
PostgreSQL), so a command another engine holds still ends: this one then waits and watches.
One loop serves the whole CLI command, so its leases are taken once and given back once.
While it waits, a database error that passes (a terminated session, a locked SQLite file) is
backed off and tried again, as ``serve`` does: the loop's rounds guard themselves, and the
reads made here outside them go through ``patiently``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Self
from uuid import UUID

from rich.console import RenderableType
from rich.live import Live

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.bundle import refuse_archive
from tasktrail.runners.cli import render as show
from tasktrail.runners.cli.context import refused
from tasktrail.runners.transient import patiently

View = Callable[[], RenderableType]


class LocalEngine:
    """A context manager: leaving it gives the partitions this loop leased back."""

    def __init__(self, runtime: Runtime) -> None:
        refuse_archive(runtime.database)
        self.runtime = runtime
        self.loop = runtime.loop(runtime.shared_leases())

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.leases.close()

    def run_to_end(
        self,
        action: str,
        params: Mapping[str, Any],
        *,
        user: str = "admin",
        correlation_id: str | None = None,
    ) -> ActionReturnValue:
        """Runs ``action`` and, if it was valid, drives it here until it has ended."""
        engine = self.runtime.engine
        returned = engine.run_action(action, params, user=user, correlation_id=correlation_id)
        if not returned.valid or returned.command_id is None:
            return returned
        self.drive(returned.command_id)
        return self._outcome(returned, returned.command_id)

    def drive(self, command_id: UUID, view: View | None = None) -> None:
        """Rounds until the command has ended, with ``view`` shown live on a terminal."""
        if view is None or not sys.stdout.isatty():
            self._rounds(command_id, lambda: None)
        else:
            # Transient: the caller prints the final view once, after the live one is gone.
            with Live(view(), console=show.console, refresh_per_second=8, transient=True) as live:
                self._rounds(command_id, lambda: live.update(view()))
        patiently("refresh the read model", self.runtime.refresh)

    def run_all_to_end(
        self, action: str, params_list: list[Any], *, user: str, only_if_all_valid: bool
    ) -> list[ActionReturnValue]:
        """runMultipleActions with waitForResult: every valid one driven here to its end."""
        returned = self.runtime.engine.run_multiple_actions(
            action, params_list, user=user, run_only_if_all_valid=only_if_all_valid
        )
        return [self._to_end(r, r.command_id) if r.valid and r.command_id else r for r in returned]

    def _to_end(self, returned: ActionReturnValue, command_id: UUID) -> ActionReturnValue:
        self.drive(command_id)
        return self._outcome(returned, command_id)

    def _rounds(self, command_id: UUID, shown: Callable[[], None]) -> None:
        """A round, then a pause until the next timed duty (or a wake-up), until the end."""
        while True:
            busy = self.loop.step()
            shown()
            if self._command(command_id).state.is_ended:
                return
            pause = self.loop.wait_time() if busy else self.runtime.settings.poll_interval
            self.runtime.wakeup.wait(pause)

    def _command(self, command_id: UUID) -> Command:
        """Read from the store, through dropped connections: a caller waits, never dies."""
        return patiently("read the command", lambda: self.runtime.store.load(Command, command_id))

    def _outcome(self, returned: ActionReturnValue, command_id: UUID) -> ActionReturnValue:
        """``returned`` completed with how its command (which has ended) ended."""
        command = self._command(command_id)
        succeeded = command.state is CommandStatus.ENDED_SUCCESSFULLY
        messages = [] if succeeded else list(command.messages)
        update = {"succeeded": succeeded, "execute_failed_messages": messages}
        return returned.model_copy(update=update)


def result_of(returned: ActionReturnValue, action: str) -> Any:
    """The action's own result; a refusal or a failure ends the CLI command with exit 1."""
    if not returned.valid:
        raise refused(f"{action} refused: " + ", ".join(returned.validation_messages), code=1)
    if not returned.succeeded:
        raise refused(f"{action} failed: " + ", ".join(returned.execute_failed_messages), code=1)
    return returned.action_return_value
