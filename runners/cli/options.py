"""How the CLI reads what a user types: shared options, ``key=value`` parameters, moments."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from tasktrail.runners.cli.context import Invocation

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
Moment = Annotated[
    str | None,
    typer.Option(help="ISO 8601 time with zone; to the second means that whole second."),
]
IdText = Annotated[str, typer.Argument(metavar="ID", help="An id, or a unique prefix of one.")]


def _choose(name: str) -> Any:
    """A flag callback that records the display choice ``name`` on the invocation."""

    def chosen(ctx: typer.Context, value: bool) -> None:
        if value:
            chosen: dict[str, Any] = {name: True}
            ctx.obj = replace(ctx.find_object(Invocation) or Invocation(), **chosen)

    return chosen


Wide = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Whole ids and every column, however wide.",
        callback=_choose("wide"),
        expose_value=False,
    ),
]
Utc = Annotated[
    bool,
    typer.Option(
        "--utc",
        help="Times in UTC (default: the local zone).",
        callback=_choose("utc"),
        expose_value=False,
    ),
]


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values are read as JSON when they are JSON, else kept as text."""
    return dict(_pair(pair) for pair in pairs)


def _pair(pair: str) -> tuple[str, Any]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        raise ValueError(f"malformed --param {pair!r}: expected key=value")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def read_params_file(path: Path) -> list[dict[str, Any]]:
    """A JSON list of objects, one per action; anything else is refused naming the file."""
    try:
        found = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{path}: not a readable JSON file ({error})") from None
    if not isinstance(found, list) or not all(isinstance(p, dict) for p in found):
        raise ValueError(f"{path}: expected a JSON list of parameter objects")
    if not found:
        raise ValueError(f"{path}: the list is empty")
    return found


def moment(text: str | None, *, whole: bool = False) -> datetime | None:
    """An ISO timestamp; one without a time zone is refused rather than guessed.

    With ``whole``, a time given to the second (or the millisecond) means the last instant of
    it, so ``--at`` or ``--until`` a time copied from a table includes what happened then.
    """
    if text is None:
        return None
    found = datetime.fromisoformat(text)
    if found.tzinfo is None:
        raise ValueError(f"timestamp {text!r} needs a time zone, e.g. {text}+00:00")
    return found + _rest_of(text) if whole else found


def _rest_of(text: str) -> timedelta:
    """What is left of the unit a time was given to (0 when given to the microsecond)."""
    fraction = re.search(r"T[\d:]+[.,](\d+)", text)
    digits = len(fraction.group(1)) if fraction else 0
    return timedelta(microseconds=10 ** max(6 - digits, 0) - 1)


def one_of(option: str, value: str | None, allowed: Iterable[str]) -> str | None:
    """``value`` as ``allowed`` spells it, whatever its case; else refused listing them."""
    if value is None:
        return None
    spelled = {a.lower(): a for a in allowed}
    if value.lower() not in spelled:
        raise ValueError(f"{option} {value!r} is not one of: {', '.join(sorted(spelled.values()))}")
    return spelled[value.lower()]
