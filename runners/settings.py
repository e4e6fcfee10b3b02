"""One typed settings object, built at the edge (CLI, server) and passed in."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from runners.database import DEFAULT_URL


class Settings(BaseSettings):
    """Read from ``TASKTRAIL_*`` environment variables; the CLI's options override them."""

    model_config = SettingsConfigDict(env_prefix="TASKTRAIL_", extra="ignore")

    db: str = DEFAULT_URL
    """Database URL for events, read model and simulated SPM. Default ``sqlite:///tasktrail.db``
    in the current folder; ``postgresql+psycopg2://USER@HOST:PORT/DB`` to share one store."""
    spm_task_seconds: float = Field(default=1.0, ge=0)
    """Seconds a simulated storage task runs before it reports finished. Default 1."""
    poll_interval: float = Field(default=0.5, gt=0)
    """Seconds between two rounds of polling (storage pools, callbacks). Default 0.5."""
    executor_threads: int = Field(default=4, gt=0)
    """Threads of ``serve``'s executor (oVirt's EngineThreadPool). Default 4."""
    callback_initial: float = Field(default=1.0, gt=0)
    """Seconds before a callback command's first sweep, and the first back-off step
    (oVirt's AsyncCommandPollingLoopInSeconds). Default 1."""
    callback_maximum: float = Field(default=10.0, gt=0)
    """Cap of the sweep's doubling back-off, in seconds (AsyncCommandPollingRateInSeconds).
    Default 10: a command is re-checked after 1, 2, 4, 8, 10, 10 … s."""
    checkpoint_interval: float = Field(default=1.0, ge=0)
    """Least seconds between two saves of the engine checkpoint; a restart folds the events
    after the last save again. Default 1."""
    batch_size: int = Field(default=500, gt=0)
    """Events per projection transaction. Default 500."""
