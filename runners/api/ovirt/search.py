"""oVirt's search parameter, the part this API understands: ``field=value`` terms joined by
``and``, where ``*`` in a value matches any run of characters (``name=web*``).

Each collection names its searchable fields; a term on any other field is refused with a fault
naming the fields there are. Values are compared with the API's own (``status=down``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from tasktrail.runners.api.errors import BadInputError

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_TERM = re.compile(r'^\s*(\w+)\s*=\s*("?)(.*?)\2\s*$')


@dataclass(frozen=True)
class Search:
    terms: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def matches(self, values: Mapping[str, str]) -> bool:
        return all(pattern.fullmatch(values[field]) for field, pattern in self.terms)


def parse(text: str | None, fields: Collection[str], case_sensitive: bool = True) -> Search:
    """The terms of ``text`` (None or blank: match everything)."""
    if text is None or not text.strip():
        return Search()
    return Search(tuple(_term(t, fields, case_sensitive) for t in _AND.split(text.strip())))


def _term(text: str, fields: Collection[str], case_sensitive: bool) -> tuple[str, re.Pattern[str]]:
    found = _TERM.match(text)
    if found is None:
        raise BadInputError(f"cannot read search term {text!r}: expected field=value")
    field, _, value = found.groups()
    if field not in fields:
        raise BadInputError(f"cannot search by {field!r}; searchable: {', '.join(sorted(fields))}")
    pattern = ".*".join(re.escape(part) for part in value.split("*"))
    return field, re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
