"""Where Chromium is missing, the browser tests fail saying how to install it, or skip when
TASKTRAIL_SKIP_BROWSER=1 asks them to."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import conftest


def test_a_missing_chromium_fails_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.delenv("TASKTRAIL_SKIP_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        conftest._playwright()
    monkeypatch.setenv("TASKTRAIL_SKIP_BROWSER", "1")
    with pytest.raises(pytest.skip.Exception, match="TASKTRAIL_SKIP_BROWSER=1 skips them"):
        conftest._playwright()
