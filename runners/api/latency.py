"""Task end → root end: how long a root command takes to end once its last storage task ended.

Learned from the event log as it passes (see ``LogWatcher``): a task's ``Created`` names its
root command, its ``Ended`` notes the time, and the root's end observes the delay since the
last of its tasks ended. Tasks created before this process started are not followed.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.projections.event_log import Recorded
from tasktrail.runners.api.prometheus import Histogram

BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class EndLatency:
    def __init__(self) -> None:
        self.histogram = Histogram(BOUNDS)
        self._root_of: dict[UUID, UUID] = {}
        self._last_task_end: dict[UUID, datetime] = {}

    def __call__(self, recorded: Recorded) -> None:
        event = recorded.event
        if isinstance(event, AsyncTask.Created):
            self._root_of[event.originator_id] = event.root_command_id
        elif isinstance(event, AsyncTask.Ended):
            root = self._root_of.pop(event.originator_id, None)
            if root is not None:
                self._last_task_end[root] = event.timestamp
        elif isinstance(event, Command.EndedSuccessfully | Command.EndedWithFailure):
            ended = self._last_task_end.pop(event.originator_id, None)
            if ended is not None:
                self.histogram.observe((event.timestamp - ended).total_seconds())
