"""One row per figure: what was measured, against which baseline, and the ratio."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Row:
    workload: str
    figure: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    """None when the baseline could not be measured; the note then says why."""
    note: str = ""

    @property
    def ratio(self) -> str:
        if not self.baseline_value:
            return ""
        return f"{self.value / self.baseline_value:.2f}"


Workload = Callable[[bool], list[Row]]


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    elapsed: list[float] = []
    start = time.perf_counter()
    yield elapsed
    elapsed.append(time.perf_counter() - start)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def render(rows: list[Row]) -> Table:
    table = Table(title="tasktrail benchmarks (ratio = value / baseline, same run)")
    for column in ("workload", "figure", "value", "baseline", "baseline value", "ratio", "note"):
        table.add_column(column)
    for row in rows:
        base = f"{row.baseline_value:,.1f}" if row.baseline_value is not None else ""
        table.add_row(
            row.workload,
            row.figure,
            f"{row.value:,.1f} {row.unit}",
            row.baseline,
            base,
            row.ratio,
            row.note,
        )
    return table


def markdown(rows: list[Row]) -> str:
    lines = [
        "| workload | figure | value | baseline | baseline value | ratio | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        base = f"{row.baseline_value:,.1f}" if row.baseline_value is not None else ""
        lines.append(
            f"| {row.workload} | {row.figure} | {row.value:,.1f} {row.unit} | "
            f"{row.baseline} | {base} | {row.ratio} | {row.note} |"
        )
    return "\n".join(lines)


def show(rows: list[Row]) -> None:
    Console(width=180).print(render(rows))
