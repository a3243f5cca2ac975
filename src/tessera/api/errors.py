"""Map the project's exceptions to HTTP once, in Label Studio's error body shape."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tessera import __version__
from tessera.domain.errors import (
    Blocked,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TesseraError,
    TooLarge,
    TooMany,
    UpstreamFailed,
)

log = logging.getLogger("tessera.api")

STATUS: list[tuple[type[TesseraError], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (NotAuthenticated, 401),
    (Conflict, 409),
    (TooMany, 429),
    (TooLarge, 413),
    (Blocked, 400),
    (InvalidInput, 400),
    (UpstreamFailed, 502),
]


def error_body(status: int, detail: str, field_errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "status_code": status,
        "version": __version__,
        "detail": detail,
        "exc_info": None,
        "validation_errors": field_errors or {},
    }


def error_response(
    status: int, detail: str, field_errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, detail, field_errors), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(TesseraError)
    async def _tessera(_request: Request, exc: TesseraError) -> JSONResponse:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
        headers = {"WWW-Authenticate": "Token"} if status == 401 else None
        return error_response(status, exc.detail, exc.field_errors, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors():
            name = ".".join(str(p) for p in err.get("loc", ())[1:]) or "body"
            fields.setdefault(name, []).append(str(err.get("msg", "invalid")))
        detail = "; ".join(f"{k}: {v[0]}" for k, v in fields.items())
        return error_response(400, detail or "invalid request", fields)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _unfit(request: Request, exc: Exception) -> JSONResponse:
        # A value no column holds (PostgreSQL: a string over a column's length, a number out of range; the
        # drivers: an integer beyond 64 bits) that no check before the query caught: still the request's
        # fault, and its transaction was rolled back. Logged, as the check that should have named the field
        # is missing.
        log.warning("unchecked value on %s %s", request.method, request.url.path, exc_info=exc)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return error_response(400, f"a value does not fit where it is stored: {reason}")

    @app.exception_handler(DBAPIError)
    async def _lost(request: Request, exc: DBAPIError) -> JSONResponse:
        # The database closed the connection or went away (a restart, a failover, an administrator): the
        # connection was invalidated and the pool opens a new one, so the same request can be tried again.
        # Any other database error is unexpected: up to the last line of defence (a logged 500).
        if not exc.connection_invalidated:
            raise exc
        log.warning("lost the database connection on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = "the connection to the database was lost before the request finished: try it again"
        return error_response(503, detail, headers={"Retry-After": "1"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), None, getattr(exc, "headers", None))


def log_unexpected(method: str, path: str, exc: BaseException) -> None:
    log.error("unhandled error on %s %s", method, path, exc_info=exc)


def internal_error() -> JSONResponse:
    """The answer to an unexpected exception; the server's outermost middleware sends it (see server.py)."""
    return error_response(500, "internal error; the server log has the details")
