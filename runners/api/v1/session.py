"""Who is calling: what a client (the web console) shows or hides by role."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tasktrail.runners.api.access import Reader
from tasktrail.runners.users import Role

router = APIRouter(tags=["session"])


class Caller(BaseModel):
    name: str
    role: Role
    """read-only, operator or admin."""


@router.get("/me")
def me(user: Reader) -> Caller:
    """The user the credentials belong to, and their role."""
    return Caller(name=user.name, role=user.role)
