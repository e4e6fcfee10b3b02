"""How values read on a screen and in JSON: ids short or whole, times in one ISO 8601 form each.

Text shows an id by its shortest unique prefix (at least 8 digits, as git abbreviates), which
every command accepts back; ``--wide`` shows it whole. Text shows a time to the second with
its offset (``Z`` for UTC), in the local zone or with ``--utc`` in UTC; JSON always shows
UTC to the microsecond with ``Z``. A time typed back at second precision means that whole
second (see ``options.moment``), so a pasted time finds what was shown at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tasktrail.projections.id_prefix import SHORTEST, shortest_unique
from tasktrail.projections.read_model import ReadModel

Namer = Callable[[UUID], str]


@dataclass(frozen=True)
class Display:
    """One invocation's choices; ``model`` is where prefixes are checked to be unique."""

    wide: bool = False
    utc: bool = False
    model: ReadModel | None = None

    def when(self, value: datetime) -> str:
        """``2026-11-25T00:31:39Z`` (UTC) or ``2026-11-25T01:31:39+01:00`` (local)."""
        shown = value.astimezone(UTC if self.utc else None).isoformat(timespec="seconds")
        return _zulu(shown)

    def namer(self, ids: Iterable[UUID]) -> Namer:
        """How each of ``ids`` is shown: whole with --wide, else its shortest unique prefix."""
        if self.wide or self.model is None:
            return str
        lengths = shortest_unique(self.model, ids)
        return lambda x: short(x, lengths.get(x, SHORTEST))


def short(value: UUID, digits: int) -> str:
    """The id's first ``digits`` hex digits, with the dashes that fall among them."""
    text = str(value)
    kept, seen = 0, 0
    while seen < digits and kept < len(text):
        seen += text[kept] != "-"
        kept += 1
    return text[:kept]


def json_time(value: datetime) -> str:
    """``2026-11-25T00:31:39.243533Z``: every time in every command's JSON."""
    return _zulu(value.astimezone(UTC).isoformat(timespec="microseconds"))


def _zulu(text: str) -> str:
    return text[:-6] + "Z" if text.endswith("+00:00") else text
