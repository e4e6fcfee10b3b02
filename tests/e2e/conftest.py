"""The CLI tests invoke ``tasktrail`` hundreds of times in-process: typer's test runner builds
the click command tree from the app on every call (half of a short command's time), so it is
built once per process here, as the console script builds it once."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
import typer.testing


@pytest.fixture(autouse=True, scope="session")
def _command_tree_built_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(typer.testing._get_command))
        yield
