"""Prometheus' text exposition format (version 0.0.4), the few pieces the API needs.

Written here rather than taken from prometheus_client: the API renders a handful of gauges
from the read model at each scrape and two histograms it keeps itself.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def labels(**pairs: str) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escaped(v)}"' for k, v in pairs.items()) + "}"


def _escaped(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def metric(name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float]]) -> str:
    """One metric family: its HELP and TYPE lines, then one line per (labels, value)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labelled} {_number(value)}" for labelled, value in samples]
    return "\n".join(lines)


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Histogram:
    """Counts of observations per upper bound, their sum and count; safe across threads."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self._counts = [0] * len(bounds)
        self._sum = 0.0
        self._count = 0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            for index, bound in enumerate(self.bounds):
                if value <= bound:
                    self._counts[index] += 1
            self._sum += value
            self._count += 1

    def family(self, name: str, help_text: str) -> str:
        with self._lock:
            buckets = [
                (f"{name}_bucket{labels(le=str(bound))}", float(count))
                for bound, count in zip(self.bounds, self._counts, strict=True)
            ]
            buckets.append((f'{name}_bucket{{le="+Inf"}}', float(self._count)))
            totals = [(f"{name}_sum", self._sum), (f"{name}_count", float(self._count))]
        lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
        return "\n".join(
            lines + [f"{series} {_number(value)}" for series, value in buckets + totals]
        )
