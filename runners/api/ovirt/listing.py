"""A collection as oVirt lists it: filtered by ``search``, cut at ``max``, in XML or JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fastapi import Request, Response

from tasktrail.runners.api.ovirt.document import Many, Node
from tasktrail.runners.api.ovirt.requests import Query
from tasktrail.runners.api.ovirt.responses import document
from tasktrail.runners.api.ovirt.search import parse

Entry = tuple[Node, Mapping[str, str]]
"""A node and the values its searchable fields have."""


def listing(
    request: Request,
    collection: str,
    singular: str,
    fields: tuple[str, ...],
    entries: Iterable[Entry],
) -> Response:
    query = Query(request, ("search", "max", "case_sensitive"))
    search = parse(query.text("search"), fields, query.flag("case_sensitive") is not False)
    found = [node for node, values in entries if search.matches(values)][: query.count("max")]
    return document(request.headers, collection, Many(singular, found))


def shown(node: Node, fields: tuple[str, ...]) -> Entry:
    """The node with the values of ``fields`` as it shows them (``id`` is its id)."""
    return node, {f: str(node.id if f == "id" else node.fields[f]) for f in fields}
