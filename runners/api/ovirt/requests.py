"""What an oVirt API request carries: query parameters, a body in XML or JSON, its headers.

Each route names the query parameters it accepts; any other is refused with a fault naming
it, as is a value of the wrong type. Bodies are parsed with defusedxml (no entities, no
external references) into the shape of oVirt's JSON, so one reader serves both formats.
Unknown elements in a body are ignored, as oVirt's own unmarshalling ignores them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection
from typing import Any
from uuid import UUID
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeXml
from starlette.requests import Request

from tasktrail.runners.api.errors import (
    BadInputError,
    UnknownIdError,
    UnsupportedMediaTypeError,
    refuse_unknown_query,
)

_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


class Query:
    """The query parameters of a request, checked against what the route accepts."""

    def __init__(self, request: Request, accepted: Collection[str]) -> None:
        refuse_unknown_query(request.query_params, accepted)
        self.values = request.query_params

    def text(self, name: str) -> str | None:
        return self.values.get(name)

    def flag(self, name: str) -> bool | None:
        return _boolean(name, self.values.get(name))

    def count(self, name: str) -> int | None:
        """A whole number of at least 0 (``max``)."""
        value = self.values.get(name)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()):
            raise BadInputError(f"query parameter {name} must be a whole number, not {value!r}")
        return int(value)


def _boolean(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise BadInputError(f"{name} must be true or false, not {value!r}")


def version_4(request: Request) -> None:
    """Clients may name the API version they speak (the SDK sends ``Version: 4``)."""
    version = request.headers.get("version")
    if version is not None and version.strip() != "4":
        raise BadInputError(f"this is version 4 of the API; the Version header asks for {version}")


def entity_id(value: str, what: str) -> UUID:
    """An id in a path; one that is no UUID names nothing, as in oVirt (404)."""
    try:
        return UUID(value)
    except ValueError:
        raise UnknownIdError(f"no {what} has the id {value!r}") from None


def correlation_id(request: Request, query: Query) -> str | None:
    """oVirt takes it as a query parameter or as a ``Correlation-Id`` header."""
    return query.text("correlation_id") or request.headers.get("correlation-id")


class Body:
    """A request body as nested mappings; getters name the field that is missing or wrong."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _find(self, path: tuple[str, ...]) -> Any:
        found: Any = self.data
        for key in path:
            if not isinstance(found, dict):
                return None
            found = found.get(key)
        return found

    def text(self, *path: str) -> str | None:
        found = self._find(path)
        if isinstance(found, dict | list):
            raise BadInputError(f"{'/'.join(path)} must be a value, not a structure")
        return None if found is None else str(found)

    def flag(self, *path: str) -> bool | None:
        return _boolean("/".join(path), self._find(path))

    def identifier(self, *path: str) -> UUID | None:
        text = self.text(*path, "id")
        try:
            return None if text is None else UUID(text)
        except ValueError:
            raise BadInputError(f"{'/'.join(path)}/id must be a UUID, not {text!r}") from None

    def count(self, *path: str) -> int:
        """How many elements a list holds (0 when absent)."""
        found = self._find(path)
        if found is None:
            return 0
        return len(found) if isinstance(found, list) else 1


async def read_body(request: Request, root: str) -> Body:
    """The body, XML (the default) or JSON by its Content-Type; an XML root must be ``root``."""
    content_type = request.headers.get("content-type", "application/xml").split(";")[0].strip()
    raw = await request.body()
    if content_type in ("application/json", "text/json"):
        return Body(_json(raw))
    if content_type in ("application/xml", "text/xml"):
        return Body(_xml(raw, root))
    raise UnsupportedMediaTypeError(
        f"bodies are application/xml or application/json, not {content_type}"
    )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError as error:
        raise BadInputError(f"malformed JSON body: {error}") from None
    if not isinstance(data, dict):
        raise BadInputError("the JSON body must be an object")
    return data


def _xml(raw: bytes, root: str) -> dict[str, Any]:
    try:
        element = SafeXml.fromstring(raw)
    except Exception as error:  # noqa: BLE001 - defusedxml raises several kinds; all mean "malformed"
        raise BadInputError(f"malformed XML body: {error}") from None
    if element.tag != root:
        raise BadInputError(f"expected a <{root}> element, not <{element.tag}>")
    found = _tree(element)
    return found if isinstance(found, dict) else {}


def _tree(element: Element) -> dict[str, Any] | str:
    """An element as oVirt's JSON has it: attributes and children by name, repeats as lists."""
    children = list(element)
    if not children and not element.attrib:
        return (element.text or "").strip()
    found: dict[str, Any] = dict(element.attrib)
    for child in children:
        value = _tree(child)
        if child.tag not in found:
            found[child.tag] = value
        elif isinstance(found[child.tag], list):
            found[child.tag].append(value)
        else:
            found[child.tag] = [found[child.tag], value]
    return found


def body_of(root: str) -> Callable[[Request], Awaitable[Body]]:
    """A dependency reading the body, so that the route itself may run on a worker thread."""

    async def parsed(request: Request) -> Body:
        return await read_body(request, root)

    return parsed
