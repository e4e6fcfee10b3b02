"""Query parameters a route does not declare are refused (400), naming them."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tasktrail.runners.api.errors import refuse_unknown_query


def no_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    declared = _names(route.dependant) if isinstance(route, APIRoute) else iter(())
    refuse_unknown_query(request.query_params, declared)


def _names(dependant: Dependant) -> Iterator[str]:
    """The query parameters of the route and of everything it depends on."""
    yield from (p.alias for p in dependant.query_params)
    for dependency in dependant.dependencies:
        yield from _names(dependency)
