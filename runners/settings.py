"""One typed settings object, built at the edge (CLI, server) and passed in."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tasktrail.domain.services.restart import RestartPolicy
from tasktrail.runners.database import DEFAULT_URL


class Settings(BaseSettings):
    """Read from ``TASKTRAIL_*`` environment variables; the CLI's options override them."""

    model_config = SettingsConfigDict(env_prefix="TASKTRAIL_", extra="ignore", allow_inf_nan=False)

    db: str = DEFAULT_URL
    """Database URL for events, read model and simulated SPM. Default ``sqlite:///tasktrail.db``
    in the current folder; ``postgresql+psycopg2://USER@HOST:PORT/DB`` to share one store."""
    spm_task_seconds: float = Field(default=1.0, ge=0, le=86_400)
    """Seconds a simulated storage task runs before it reports finished, 0 to 86400. Default 1."""
    poll_interval: float = Field(default=0.5, ge=0.01, le=60)
    """Seconds between two polls of the storage pools, 0.01 to 60. Default 0.5."""
    callback_initial: float = Field(default=1.0, ge=0.01, le=60)
    """Seconds before a callback command's first sweep, and the first back-off step
    (oVirt's AsyncCommandPollingLoopInSeconds). Default 1."""
    callback_maximum: float = Field(default=10.0, ge=0.01, le=3600)
    """Cap of the sweep's doubling back-off, in seconds (AsyncCommandPollingRateInSeconds).
    Default 10: a command is re-checked after 1, 2, 4, 8, 10, 10 … s."""
    restart_policy: RestartPolicy = RestartPolicy.RESUME
    """What ``serve`` does at start with work a stopped engine left in flight: ``resume``
    (default: carry on) or ``ovirt`` (exactly oVirt's start-up; see docs/operations.md)."""
    command_life: float = Field(default=3000 * 60.0, ge=1, le=10**8)
    """Seconds an ACTIVE command may go unsaved before it is failed (CoCoLifeInMinutes: 3000
    minutes)."""
    job_cleanup_rate: float = Field(default=600.0, ge=1, le=10**6)
    """Seconds between two looks for ended jobs to delete (JobCleanupRateInMinutes: 10)."""
    succeeded_job_life: float = Field(default=600.0, ge=0, le=10**8)
    """Seconds a FINISHED auto-cleared job is kept (SucceededJobCleanupTimeInMinutes: 10)."""
    failed_job_life: float = Field(default=3600.0, ge=0, le=10**8)
    """Seconds a FAILED, ABORTED or UNKNOWN one is kept (FailedJobCleanupTimeInMinutes: 60)."""
    batch_size: int = Field(default=500, ge=1, le=100_000)
    """Events per projection transaction, 1 to 100000. Default 500."""
