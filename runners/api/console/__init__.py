"""The web console: static HTML, CSS and JavaScript modules served at ``/`` by the API process.

Nothing here reads or writes the database: the page holds no data and needs no credentials;
its scripts log in through the SSO endpoint and call ``/api/v1`` (and oVirt's API) with the
bearer token they get, so every read and every command goes through the API's own checks.
No build step: the browser loads the files as they are in ``static/``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount_console(app: FastAPI) -> None:
    """``/`` answers the console's page; ``/console/…`` its scripts and styles."""
    app.add_api_route("/", _page, methods=["GET"], include_in_schema=False)
    app.mount("/console", StaticFiles(directory=STATIC), name="console")


async def _page() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})
