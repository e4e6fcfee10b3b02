"""``tasktrail api``: the HTTP API (oVirt's and tasktrail's), served until stopped."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tasktrail.runners.cli import context


def api(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65_535, help="Port to listen on (default 8080).")
    ] = None,
    engine: Annotated[
        bool | None,
        typer.Option(
            "--engine/--no-engine",
            help="Run an engine loop in this process (default), or leave the work to "
            "`tasktrail serve` processes beside it.",
        ),
    ] = None,
) -> None:
    """Serve oVirt's REST API (/ovirt-engine/api) and tasktrail's (/api/v1) until stopped.

    Clients log in with a user added by `tasktrail user add` (a token from
    /ovirt-engine/sso/oauth/token, or HTTP Basic). Options override TASKTRAIL_API_*.
    """
    from tasktrail.runners.api.server import serve_api  # noqa: PLC0415 - only this command pays for it
    from tasktrail.runners.api.settings import ApiSettings  # noqa: PLC0415

    given: dict[str, Any] = {"host": host, "port": port, "engine": engine}
    options = {name: value for name, value in given.items() if value is not None}
    serve_api(context.settings(ctx), ApiSettings(**options))
