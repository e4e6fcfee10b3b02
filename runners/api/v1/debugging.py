"""Debugging from history over HTTP: ``replay --what-if`` and ``diff`` of runs in the database.

Both only read (a what-if runs in memory); redrive and cancel are commands like any other
(``POST /commands`` with ``Redrive`` or ``Cancel`` and ``{"command_id": …}``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from tasktrail.runners.api.access import Reader
from tasktrail.runners.api.state import api_state
from tasktrail.runners.histories import History, from_database
from tasktrail.runners.what_if import diff, what_if

router = APIRouter(tags=["debugging"])


def _history(request: Request, run_id: UUID) -> History:
    runtime = api_state(request).runtime
    runtime.refresh()
    return from_database(runtime.store, runtime.read_model, run_id)


@router.get("/what-if/{run_id}")
def what_if_run(request: Request, run_id: UUID, user: Reader) -> dict[str, Any]:
    """Today's code deciding the run of a job or command again on its recorded inputs, in
    memory: the would-be events beside the recorded ones and the first that differs."""
    return what_if(_history(request, run_id)).as_dict()


@router.get("/diff")
def diff_runs(request: Request, a: UUID, b: UUID, user: Reader) -> dict[str, Any]:
    """Two runs (jobs or commands) aligned by role and event order: where they part."""
    return diff(_history(request, a), _history(request, b))
