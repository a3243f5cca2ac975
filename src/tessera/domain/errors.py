"""The project's own exceptions. Layers below the API raise these; `api/errors.py` maps them to HTTP once."""

from __future__ import annotations


class TesseraError(Exception):
    """Base of every error Tessera raises on purpose."""

    def __init__(self, detail: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field_errors = field_errors or {}


class InvalidInput(TesseraError):
    """The caller sent something that cannot be accepted (HTTP 400)."""


class ConfigError(InvalidInput):
    """A labeling config is invalid. `tag` names the element at fault, when known."""

    def __init__(self, detail: str, *, tag: str | None = None) -> None:
        super().__init__(detail, field_errors={"label_config": [detail]})
        self.tag = tag


class ResultError(InvalidInput):
    """An annotation or prediction result does not fit the labeling config.

    `index` is the position of the failing result item, `field` the key at fault.
    """

    def __init__(self, detail: str, *, index: int | None = None, field: str = "result") -> None:
        super().__init__(detail, field_errors={field: [detail]})
        self.index = index


class ImportFormatError(InvalidInput):
    """An import file cannot be read. `line` is the 1-based line or row number, when known."""

    def __init__(self, detail: str, *, filename: str | None = None, line: int | None = None) -> None:
        where = ", ".join(p for p in (filename, f"line {line}" if line else None) if p)
        super().__init__(f"{where}: {detail}" if where else detail, field_errors={"file": [detail]})
        self.filename = filename
        self.line = line


class TooLarge(InvalidInput):
    """An upload goes past the configured size limit (HTTP 413); refused while it is still being received."""


class NotFound(TesseraError):
    """The object does not exist, or the actor may not know it exists (HTTP 404)."""


class PermissionDenied(TesseraError):
    """The actor is known but may not do this (HTTP 403)."""


class NotAuthenticated(TesseraError):
    """No valid credentials (HTTP 401)."""


class Conflict(TesseraError):
    """The write is based on a stale version (HTTP 409)."""


class TooMany(TesseraError):
    """Rate limit reached (HTTP 429)."""


class Blocked(TesseraError):
    """An outbound request was refused by the guard (SSRF, scheme, size)."""


class UpstreamFailed(TesseraError):
    """A model server Tessera called failed or answered something unusable (HTTP 502)."""
