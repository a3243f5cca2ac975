"""A data-manager filter's value made the type of the column it is compared with (`task_query._filter`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Float, Integer, Numeric, String

from tessera.domain.errors import InvalidInput
from tessera.domain.ids import MAX_ROW_ID


def filter_value(value: Any, col: ColumnElement[Any], where: str) -> Any:
    """A filter's value as the column's type: a date and time (ISO 8601 text) for a timestamp, a number (not a
    boolean) for a number, text for text; null as it is. PostgreSQL compares only values of matching types."""
    if value is None:
        return value
    if isinstance(value, list | dict) or (type(value) is int and abs(value) > MAX_ROW_ID):
        raise _not_comparable(value, "text, a number or a boolean", where)
    affinity = col.type._type_affinity
    if affinity is not None and issubclass(affinity, DateTime):
        moment = _moment(value)
        if moment is None:
            raise _not_comparable(value, "a date and time (ISO 8601)", where)
        return moment
    if affinity is not None and issubclass(affinity, Integer | Float | Numeric):
        if isinstance(value, bool):
            raise _not_comparable(value, "a number", where)
        if isinstance(value, int | float):
            return value
        try:
            return float(value)
        except ValueError:
            raise _not_comparable(value, "a number", where) from None
    if affinity is not None and issubclass(affinity, String):
        return str(value)
    return value


def _moment(value: Any) -> datetime | None:
    """The UTC instant an ISO 8601 text names (a date alone is its midnight UTC), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _not_comparable(value: Any, wanted: str, where: str) -> InvalidInput:
    return InvalidInput(
        f"{where}: the value must be {wanted}, not {json.dumps(value)[:60]}",
        field_errors={"query": [f"filter value: must be {wanted}"]},
    )
