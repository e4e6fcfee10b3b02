"""The values a filter may take, from the domain's own tables, so a typo is an error.

Filters match them whatever their case (``--to-state failed``); anything else is refused with
the list (``options.one_of``).
"""

from __future__ import annotations

from tasktrail.domain.actions.registry import ACTION_TYPES
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.registry import AGGREGATES

JOB_STATUSES = [s.value for s in JobExecutionStatus]
COMMAND_STATUSES = [s.value for s in CommandStatus]
ACTIONS = [a.value for a in ACTION_TYPES]
STATES = sorted({s.value for cls in AGGREGATES for s in cls.TABLE.states})
EVENT_TYPES = sorted({name for cls in AGGREGATES for name in cls.TABLE.events})
AGGREGATE_TYPES = [cls.__name__ for cls in AGGREGATES]
