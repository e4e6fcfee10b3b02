"""The HTTP API's own settings, read from ``TASKTRAIL_API_*``; ``tasktrail api`` overrides them."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TASKTRAIL_API_", extra="ignore", allow_inf_nan=False
    )

    host: str = "127.0.0.1"
    """Address to listen on. Default 127.0.0.1 (this machine only)."""
    port: int = Field(default=8080, ge=0, le=65_535)
    """TCP port to listen on. Default 8080."""
    engine: bool = True
    """Run an engine loop in the API process (as ``serve`` does). Default true; false when
    ``serve`` processes beside the API do the work."""
    token_seconds: float = Field(default=3600, gt=0, le=30 * 86_400)
    """Lifetime of a bearer token from the SSO endpoint, in seconds. Default 3600."""
    basic_cache_seconds: float = Field(default=60, ge=0, le=3600)
    """Seconds an accepted HTTP Basic password is remembered, sparing an argon2 check per
    request (a changed password takes this long to apply). Default 60; 0 checks every time."""
    max_body_bytes: int = Field(default=1 << 20, ge=1024, le=1 << 30)
    """Largest request body, in bytes, except bundle imports. Default 1 MiB."""
    max_bundle_bytes: int = Field(default=64 << 20, ge=1024, le=1 << 32)
    """Largest bundle accepted by ``POST /api/v1/bundles``, in bytes. Default 64 MiB."""
    stream_poll: float = Field(default=0.05, ge=0.005, le=10)
    """Seconds between two looks at the event log for the live stream and the metrics.
    Default 0.05."""
    sync_timeout: float = Field(default=60, gt=0, le=3600)
    """Seconds a request without ``async=true`` waits for the engine to execute its command.
    Default 60."""
