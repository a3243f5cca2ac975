"""The error a failed job raised, kept by name so that a request that waited for the job can raise it again
with the same kind, message and per-field messages (and so the same HTTP answer as when the work ran inside
the request). A kind not listed comes back as a TesseraError."""

from __future__ import annotations

from typing import Any

from tessera.domain.errors import Blocked, InvalidInput, NotFound, PermissionDenied, TesseraError, UpstreamFailed

ERRORS: dict[str, type[TesseraError]] = {
    cls.__name__: cls for cls in (InvalidInput, Blocked, UpstreamFailed, NotFound, PermissionDenied)
}


def error_name(exc: TesseraError) -> str:
    """The nearest of `ERRORS` in the exception's class hierarchy (ImportFormatError → InvalidInput)."""
    return next((cls.__name__ for cls in type(exc).__mro__ if cls.__name__ in ERRORS), "TesseraError")


def rebuilt(name: Any, detail: str, field_errors: dict[str, list[str]] | None) -> TesseraError:
    """The error `error_name` named, with its message and field messages."""
    return ERRORS.get(str(name), TesseraError)(detail, field_errors=field_errors or None)
