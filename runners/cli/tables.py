"""Tables that fit the terminal: ids and times never cut, text cut with an ellipsis (the last
column's wrapped instead), and the columns named last left out when even that does not fit
(``--wide`` keeps them all).

A command lists its columns most needed first; the first is always shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from rich.table import Table
from rich.text import Text

from tasktrail.runners.cli.display import Display, Namer

Row = dict[str, Any]
GAP = 2
"""Spaces between two columns."""
SHORTEST_TEXT = 10
"""A text column is cut to no fewer characters than this (or its longest header word)."""

STYLES = {
    "FINISHED": "green",
    "FAILED": "red",
    "STARTED": "yellow",
    "ABORTED": "magenta",
    "ENDED_SUCCESSFULLY": "green",
    "ENDED_WITH_FAILURE": "red",
    "ILLEGAL": "red",
    "OK": "green",
}


HEADERS = {
    "position": "pos",
    "aggregate_type": "kind",
    "aggregate_id": "id",
    "event_type": "event",
    "to_state": "to",
    "from_state": "from",
    "correlation_id": "correlation",
    "storage_pool_id": "pool",
}
"""Short headers for the columns whose JSON names are long."""
STATES = {"status", "imagestatus", "state", "task_state"}
"""Columns of states: like ids, shown whole (a cut state reads as another)."""


@dataclass(frozen=True)
class Column:
    name: str
    cells: list[str]
    fixed: bool
    """Ids and times: shown whole or not at all."""

    @property
    def header(self) -> str:
        return HEADERS.get(self.name) or self.name.removesuffix("_id").replace("_", " ")

    @property
    def natural(self) -> int:
        return max([len(self.header), *map(len, self.cells)])

    @property
    def least(self) -> int:
        return self.natural if self.fixed else min(self.natural, SHORTEST_TEXT)


def fitted(rows: list[Row], names: list[str], display: Display, width: int | None) -> Table:
    """The table of ``rows``; ``width`` None (``--wide``) keeps every column."""
    namer = display.namer(x for row in rows for x in row.values() if isinstance(x, UUID))
    columns = [_column(name, rows, display, namer) for name in names]
    kept = columns if width is None else _fitting(columns, width)
    widths = _widths(kept, width)
    table = Table(box=None, padding=(0, GAP // 2), pad_edge=False, header_style="bold")
    for column, each in zip(kept, widths, strict=True):
        last = column is kept[-1] and not column.fixed
        table.add_column(column.header, no_wrap=not last, overflow="ellipsis", width=each)
    for index in range(len(rows)):
        table.add_row(*(_styled(c.name, c.cells[index]) for c in kept))
    return table


def cell(value: Any, display: Display, namer: Namer) -> str:
    """One value as text: ids by ``namer``, times in the display's form, lists joined."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(cell(v, display, namer) for v in value)
    kinds: list[tuple[type, Callable[[Any], str]]] = [
        (UUID, namer),
        (datetime, display.when),
        (bool, lambda x: "yes" if x else "no"),
        (float, "{:.1f}".format),
    ]
    return next((show(value) for kind, show in kinds if isinstance(value, kind)), str(value))


def _column(name: str, rows: list[Row], display: Display, namer: Namer) -> Column:
    values = [row.get(name) for row in rows]
    fixed = name in STATES or any(isinstance(v, UUID | datetime) for v in values)
    return Column(name, [cell(v, display, namer) for v in values], fixed)


def _fitting(columns: list[Column], width: int) -> list[Column]:
    """The first columns whose least widths fit in ``width`` (the first one always)."""
    kept = list(columns)
    while len(kept) > 1 and sum(c.least for c in kept) + GAP * (len(kept) - 1) > width:
        kept.pop()
    return kept


def _widths(columns: list[Column], width: int | None) -> list[int]:
    """Each column's width: its least, then what is left given to the text columns in order."""
    if width is None:
        return [c.natural for c in columns]
    left = width - sum(c.least for c in columns) - GAP * (len(columns) - 1)
    widths = []
    for column in columns:
        wanted = column.natural if column is not columns[-1] else width
        more = min(max(left, 0), wanted - column.least)
        widths.append(column.least + more)
        left -= more
    return widths


def _styled(name: str, text: str) -> Text:
    style = STYLES.get(text, "cyan") if name in STATES else ""
    return Text(text, style=style)
