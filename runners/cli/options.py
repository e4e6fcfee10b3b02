"""How the CLI reads what a user types: shared options, ``key=value`` parameters, moments."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
Moment = Annotated[str | None, typer.Option(help="ISO timestamp with zone.")]


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


def moment(text: str | None) -> datetime | None:
    """An ISO timestamp; one without a time zone is refused rather than guessed."""
    if text is None:
        return None
    found = datetime.fromisoformat(text)
    if found.tzinfo is None:
        raise ValueError(f"timestamp {text!r} needs a time zone, e.g. {text}+00:00")
    return found
