"""Commands: the actions a user may run, running one, and the commands recorded so far."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from tasktrail.domain.actions.registry import default_registry
from tasktrail.domain.services.return_value import ActionReturnValue
from tasktrail.runners.api import commands, reading
from tasktrail.runners.api.access import Operator, Reader
from tasktrail.runners.api.state import api_state
from tasktrail.runners.api.views import CommandView

router = APIRouter(tags=["commands"])
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many, newest first.")]


class RunCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(
        description="An action a user may run (GET /actions), e.g. RemoveVm.",
        json_schema_extra={"enum": list[JsonValue](default_registry().public())},
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description='The action\'s parameters, e.g. {"vm_id": "…"}.'
    )
    correlation_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,50}$",
        description="Ties every event of the request together: 1 to 50 of A-Z a-z 0-9 _ -.",
    )


@router.get("/actions")
def actions(request: Request, user: Reader) -> list[str]:
    """The actions a user may run (internal ones run only under a parent command)."""
    return api_state(request).runtime.ports.registry.public()


@router.post("/commands", status_code=202)
def run_command(
    request: Request,
    body: RunCommand,
    user: Operator,
    wait: Annotated[bool, Query(description="Answer once an engine has executed it.")] = False,
) -> ActionReturnValue:
    """Validates and records the command; an engine executes it. A refusal is recorded and
    answered 409; an action naming an unknown id is answered 404 and records nothing."""
    state = api_state(request)
    returned = commands.run(state.runtime, body.action, body.params, user, body.correlation_id)
    if wait and returned.command_id is not None:
        commands.wait_until_executed(
            state.runtime, returned.command_id, state.settings.sync_timeout
        )
    return returned


@router.get("/commands")
def list_commands(
    request: Request,
    user: Reader,
    status: str | None = None,
    action_type: str | None = None,
    limit: Limit = 100,
) -> list[CommandView]:
    """Commands (children too), newest first; ``status`` e.g. ENDED_WITH_FAILURE."""
    model = api_state(request).runtime.read_model
    return reading.commands(model, status, action_type, limit)


@router.get("/commands/{command_id}")
def get_command(request: Request, command_id: UUID, user: Reader) -> CommandView:
    return reading.command(api_state(request).runtime.read_model, command_id)
