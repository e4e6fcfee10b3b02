"""Settings come from TASKTRAIL_* variables; the domain's timings follow them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tasktrail.runners.bootstrap import engine_settings
from tasktrail.runners.settings import Settings


def test_ovirt_timings_default_to_ovirts_and_reach_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert engine_settings(Settings()).failed_job_life == 60 * 60
    monkeypatch.setenv("TASKTRAIL_SUCCEEDED_JOB_LIFE", "30")
    monkeypatch.setenv("TASKTRAIL_COMMAND_LIFE", "90")
    timings = engine_settings(Settings())
    assert (timings.succeeded_job_life, timings.command_life) == (30, 90)


def test_a_timing_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKTRAIL_JOB_CLEANUP_RATE", "0")
    with pytest.raises(ValidationError, match="job_cleanup_rate"):
        Settings()
