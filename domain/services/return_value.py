"""ActionReturnValue: what run_action gives back at once (oVirt's ActionReturnValue)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class EngineFault(BaseModel):
    error: str
    message: str


class ActionReturnValue(BaseModel):
    valid: bool = False
    validation_messages: list[str] = Field(default_factory=list)
    succeeded: bool = False
    execute_failed_messages: list[str] = Field(default_factory=list)
    action_return_value: Any = None
    """The action's own result (AddVm: the new ids)."""
    job_id: UUID | None = None
    command_id: UUID | None = None
    correlation_id: str | None = None
    fault: EngineFault | None = None
