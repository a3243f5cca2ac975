"""The composition root: `create_app(settings)` puts the API and the web pages together into one ASGI app.
Nothing is built at import time."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tessera import __version__
from tessera.api import endpoint_threads, errors
from tessera.api.context import closing_sessions
from tessera.api.routes import (
    agreement,
    annotations,
    assignments,
    connector_calls,
    connectors,
    consensus,
    dashboard,
    drafts,
    exports,
    imports,
    media,
    members,
    ml,
    predictions,
    preferences,
    projects,
    queue,
    redteam,
    reviews,
    storage_files,
    storages,
    system,
    tasks,
    tokens,
    users,
    views,
)
from tessera.db.engine import Database
from tessera.net.outbound import OutboundClient
from tessera.services import export_jobs, generation_jobs, judge_jobs, storage_sync_jobs
from tessera.services.chat_calls import ChatCaller
from tessera.services.import_jobs import KIND as IMPORT_JOB
from tessera.services.import_jobs import ImportJob, sweep_stale_uploads
from tessera.services.jobs import JobRunner
from tessera.services.rate_limits import RateLimits
from tessera.settings import Settings, load_settings
from tessera.web import pages
from tessera.web.importmap import IMPORT_MAP_HASH

CSP = (
    f"default-src 'self'; script-src 'self' '{IMPORT_MAP_HASH}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
DOCS_CSP = CSP.replace(
    f"script-src 'self' '{IMPORT_MAP_HASH}'", "script-src 'self' 'unsafe-inline' cdn.jsdelivr.net"
).replace("style-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline' cdn.jsdelivr.net")


class PathAndHeaders:
    """Route `/path` and `/path/` alike without redirects (a redirect loses a POST body), refuse bodies over
    the limit by their Content-Length, turn an unexpected exception into a logged 500, and add the security
    headers to every response, those three included."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/", "raw_path": None}
        docs = scope["path"].startswith("/api/docs")
        started = False

        async def send_with_headers(message: dict) -> None:  # type: ignore[type-arg]
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers") or [])
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                    b"content-security-policy": (DOCS_CSP if docs else CSP).encode(),
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        length = dict(scope.get("headers") or []).get(b"content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            body = errors.error_body(413, f"the body is larger than the limit of {self.max_body} bytes")
            await JSONResponse(body, status_code=413)(scope, receive, send_with_headers)
            return
        close_sessions = closing_sessions(scope)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # the last line of defence: log it, answer 500 in the usual shape, with headers
            if started:
                raise
            errors.log_unexpected(scope.get("method", "?"), scope["path"], exc)
            await errors.internal_error()(scope, receive, send_with_headers)
        finally:
            close_sessions()


SWITCH_INTERVAL_S = 0.0005


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The job runner starts with the server (failing the jobs a dead process left running) and stops with it.

    Python hands its lock between threads every 0.5 ms instead of 5: a request that holds SQLite's one writer
    slot lets go of the interpreter at every statement and would otherwise wait up to 5 ms for it while the
    event loop parses other requests, with every other writer queued behind it (paired runs of 3,000 submits
    from 8 clients, 2026-11-29: p95 30.7 / 36.2 / 25.7 ms against 38.5 / 39.6 / 28.5 ms)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app.state.jobs.start()
    sweep_stale_uploads(app.state.db, app.state.settings.data_dir / "uploads")
    yield
    app.state.jobs.stop()


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="Tessera",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.db = database or Database(settings.database_url)
    # how many endpoint bodies run at once before the next waits its turn (see `endpoint_threads`)
    app.state.bodies_at_once = None if app.state.db.is_sqlite else endpoint_threads.AT_ONCE
    app.state.outbound = OutboundClient(settings.outbound_allowlist)
    app.state.chat = ChatCaller(app.state.outbound, RateLimits())  # rate limits are per process
    handlers = {
        IMPORT_JOB: ImportJob(app.state.outbound, settings.max_body_bytes),
        generation_jobs.KIND: generation_jobs.GenerationJob(app.state.chat),
        judge_jobs.KIND: judge_jobs.JudgeJob(app.state.chat),
        export_jobs.KIND: export_jobs.ExportJob(settings.data_dir),
        storage_sync_jobs.KIND: storage_sync_jobs.SyncJob(app.state.outbound, settings.local_files_root),
    }
    app.state.jobs = JobRunner(app.state.db, settings.data_dir, handlers)
    errors.install(app)
    # Routers are matched in this order, each route in turn (no path shares a pattern with another router's):
    # the labeling loop's first (claim, submit, autosave, the task), which saves a submit about 40 matches.
    for module in (
        annotations,
        queue,
        drafts,
        tasks,
        system,
        users,
        tokens,
        projects,
        members,
        imports,
        consensus,
        predictions,
        exports,
        ml,
        connectors,
        connector_calls,
        views,
        assignments,
        reviews,
        agreement,
        dashboard,
        preferences,
        redteam,
        media,
        storages,
        storage_files,
    ):
        app.include_router(module.router)
    pages.mount(app)
    app.add_middleware(PathAndHeaders, max_body=settings.max_body_bytes)
    return app


def ready_to_serve(app: FastAPI) -> FastAPI:
    """The app, with what the process holds by now (modules, the app, its routes and schemas: about 166,000
    objects) moved out of the garbage collector's sight (`gc.freeze`), so that a full collection no longer
    walks it. Over `bench/api_bench.py` on PostgreSQL, the server's three to five full collections took
    122 ms at the longest and 297 ms in all, every request waiting meanwhile; frozen, 11 ms and 32 ms
    (2026-11-29). For a server process only: a process that makes many apps (the tests) would keep them all."""
    gc.collect()
    gc.freeze()
    return app


def app_from_environment() -> FastAPI:
    """The app factory each worker process calls when `tessera start --workers N` runs several."""
    return ready_to_serve(create_app(load_settings()))
