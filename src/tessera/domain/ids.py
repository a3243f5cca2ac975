"""Row ids as they come from outside: only an integer a 64-bit column holds can name a row.

The drivers refuse to bind an integer beyond 64 bits with an error of their own (SQLite's `OverflowError`,
PostgreSQL's out-of-range), and `int()` refuses some text that `str.isdigit` accepts ("²"): a value that is
not a row id names no row, and never reaches a query."""

from __future__ import annotations

from typing import Any

MAX_ROW_ID = 2**63 - 1  # a signed 64-bit column, on SQLite and PostgreSQL alike


def is_row_id(value: Any) -> bool:
    """Whether `value` can be a row's id: an integer (not a boolean) in 1…2**63-1."""
    return type(value) is int and 0 < value <= MAX_ROW_ID


def as_row_id(value: Any) -> int | None:
    """The row id that `value` is (an integer) or spells (ASCII digits), or None."""
    if is_row_id(value):
        return value  # type: ignore[no-any-return]
    return id_from_text(value) if isinstance(value, str) else None


def id_from_text(text: str) -> int | None:
    """The row id that `text` spells in ASCII digits (spaces around allowed), or None if it spells none."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    value = int(text)
    return value if is_row_id(value) else None
