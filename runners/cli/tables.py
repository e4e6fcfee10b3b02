"""Tables that fit the terminal and cut nothing: ids, times and states are shown whole, text is
wrapped within its column, and the columns that do not fit beside the others are folded under
each row as ``name: value`` (``--wide`` puts every column on the row's one line).

A command lists its columns most needed first: those that fit on the row's line are the first
ones, the first always.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from rich.text import Text

from tasktrail.runners.cli.display import Display, Namer

Row = dict[str, Any]
GAP = 2
"""Spaces between two columns."""
SHORTEST_TEXT = 8
"""A text column is wrapped to no fewer characters than this, nor than its header or its
longest unbreakable piece (unless its longest cell is shorter)."""
FOLD = " " * 4
"""How far a row's folded columns are indented under it."""

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
_BREAKS = re.compile(r"(?<=[_/,.-])|(?<=[a-z])(?=[A-Z])")
"""Where a word too long for its column is broken: after ``_`` and the like, between humps."""
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def is_state(name: str) -> bool:
    """A column of states (``status``, ``to_state``…): like ids, shown whole (a cut state reads
    as another)."""
    return name.endswith(("state", "status"))


@dataclass(frozen=True)
class Column:
    name: str
    cells: list[str]
    fixed: bool
    """Ids, times and states: never wrapped nor cut."""

    @property
    def header(self) -> str:
        return HEADERS.get(self.name) or self.name.removesuffix("_id").replace("_", " ")

    @cached_property
    def natural(self) -> int:
        return max([self.named, *map(len, self.cells)])

    @cached_property
    def least(self) -> int:
        if self.fixed:
            return self.natural
        return min(self.natural, max(SHORTEST_TEXT, self.named, self.piece))

    @cached_property
    def piece(self) -> int:
        """Its longest piece that wrapping cannot break (a word without humps or ``_``)."""
        return max(
            (len(p) for c in self.cells for w in c.split() for p in _BREAKS.split(w)), default=0
        )

    @property
    def named(self) -> int:
        """Its header's width: a header is never wrapped."""
        return len(self.header)


def fitted(rows: list[Row], names: list[str], display: Display, width: int | None) -> Text:
    """The table of ``rows`` in ``width``; None (``--wide``) puts every column on one line."""
    namer = display.namer(x for row in rows for x in ids_in(list(row.values())))
    columns = [_column(name, rows, display, namer) for name in names]
    kept = columns if width is None else _fitting(columns, width)
    widths = _widths(kept, width)
    lines = [_line([Text(c.header, style="bold") for c in kept], widths)]
    for index in range(len(rows)):
        lines += _row(kept, widths, index)
        lines += _folded(columns[len(kept) :], index, width or 0)
    return Text("\n").join(lines)


def cell(value: Any, display: Display, namer: Namer) -> str:
    """One value as text: ids by ``namer`` (in a text too), times in the display's form, lists
    joined."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell(v, display, namer) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {cell(v, display, namer)}" for k, v in value.items())
    kinds: list[tuple[type, Callable[[Any], str]]] = [
        (str, lambda text: named_in(text, namer)),
        (UUID, namer),
        (datetime, display.when),
        (bool, lambda x: "yes" if x else "no"),
        (float, "{:.1f}".format),
    ]
    return next((show(value) for kind, show in kinds if isinstance(value, kind)), str(value))


def named_in(text: str, namer: Namer) -> str:
    """``text`` with every whole id in it shown by ``namer``."""
    return _ID.sub(lambda found: namer(UUID(found.group())), text)


def wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``: broken between words, a word too long at its
    humps or after ``_``, and only a word without either anywhere."""
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return [piece for line in lines or [""] for piece in _broken(line, width)]


def _broken(word: str, width: int) -> list[str]:
    lines = [""]
    for part in _BREAKS.split(word):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return [line[i : i + width] for line in lines for i in range(0, len(line) or 1, width)]


def ids_in(values: list[Any]) -> list[UUID]:
    """Every id among ``values``, in lists and dicts and texts too."""
    found = [v for v in values if isinstance(v, UUID)]
    found += [UUID(x) for v in values if isinstance(v, str) for x in _ID.findall(v)]
    inner = [x for v in values if isinstance(v, list | tuple | dict) for x in ids_in(_items(v))]
    return found + inner


def typed(value: Any) -> Any:
    """A value read from JSON with its ids as ids and its times as times (so that a table
    shows them as prefixes and in the display's form), in lists and dicts too."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, str) and _ID.fullmatch(value):
        return UUID(value)
    if isinstance(value, str) and _TIME.fullmatch(value):
        return datetime.fromisoformat(value)
    return value


def _items(value: list[Any] | tuple[Any, ...] | dict[str, Any]) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else list(value)


def _column(name: str, rows: list[Row], display: Display, namer: Namer) -> Column:
    values = [row.get(name) for row in rows]
    fixed = is_state(name) or any(isinstance(v, UUID | datetime) for v in values)
    return Column(name, [cell(v, display, namer) for v in values], fixed)


def _fitting(columns: list[Column], width: int) -> list[Column]:
    """The first columns whose least widths fit in ``width`` (the first one always)."""
    kept = list(columns)
    while len(kept) > 1 and sum(c.least for c in kept) + GAP * (len(kept) - 1) > width:
        kept.pop()
    return kept


def _widths(columns: list[Column], width: int | None) -> list[int]:
    """Each column's width: its least, then what is left shared among the text columns a
    character at a time, the narrowest first (so a long text is not squeezed by a shorter)."""
    widths = [c.natural if width is None else c.least for c in columns]
    left = (width or 0) - sum(widths) - GAP * (len(columns) - 1)
    while left > 0:
        growing = [i for i, c in enumerate(columns) if widths[i] < c.natural]
        if not growing:
            break
        widths[min(growing, key=lambda i: widths[i])] += 1
        left -= 1
    return widths


def _row(columns: list[Column], widths: list[int], index: int) -> list[Text]:
    """One row's lines: its text cells wrapped in their columns, the others on the first."""
    cells = [
        [c.cells[index]] if c.fixed else wrapped(c.cells[index], w)
        for c, w in zip(columns, widths, strict=True)
    ]
    height = max(map(len, cells))
    padded = [each + [""] * (height - len(each)) for each in cells]
    return [
        _line([_styled(c.name, each[at]) for c, each in zip(columns, padded, strict=True)], widths)
        for at in range(height)
    ]


def _line(cells: list[Text], widths: list[int]) -> Text:
    line = Text()
    for text, width in zip(cells, widths, strict=True):
        line.append_text(text)
        line.append(" " * (width - len(text) + GAP))
    line.rstrip()
    return line


def _folded(columns: list[Column], index: int, width: int) -> list[Text]:
    """The columns that did not fit beside the others, under the row as ``name: value``."""
    told = "  ".join(f"{c.header}: {c.cells[index]}" for c in columns if c.cells[index])
    if not told:
        return []
    lines = textwrap.wrap(
        told, width, initial_indent=FOLD, subsequent_indent=FOLD * 2, break_long_words=False
    )
    return [Text(line) for line in lines]


def _styled(name: str, text: str) -> Text:
    style = STYLES.get(text, "cyan") if is_state(name) and text else ""
    return Text(text, style=style)
