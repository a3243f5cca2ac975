"""Ids in paths and query strings: read as row ids, and refused before they reach a query when they are not.

FastAPI turns `"99999999999999999999"` into a Python integer of any size, and the drivers refuse to bind one
beyond 64 bits with an error of their own (SQLite's `OverflowError`, PostgreSQL's out-of-range), which was a
500 wherever a route handed such a value to a query without looking at it first. `ContextRoute` wraps each
route's handler with `refuse_wide_ints`, so that no endpoint has to: a path value that large names no row
(404), a query value that large is out of range (400, the parameter named). The parameters that routes read as
text (`?project=`, `?ids=1,2`) go through `optional_id` and `id_list`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi.dependencies.models import Dependant
from starlette.requests import Request
from starlette.responses import Response

from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.ids import MAX_ROW_ID, id_from_text

Handler = Callable[[Request], Awaitable[Response]]


def _is_int(annotation: Any) -> bool:
    """`int`, or `int | None` and the like."""
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return int in typing.get_args(annotation)
    return False


def _int_params(dependant: Dependant) -> tuple[list[str], list[str]]:
    """The names of the integer path and query parameters of a route, its dependencies' included."""
    path = [f.alias for f in dependant.path_params if _is_int(f.field_info.annotation)]
    query = [f.alias for f in dependant.query_params if _is_int(f.field_info.annotation)]
    for sub in dependant.dependencies:
        more_path, more_query = _int_params(sub)
        path += more_path
        query += more_query
    return path, query


def too_wide(raw: str | None) -> bool:
    """Whether `raw` reads as an integer (as FastAPI reads it) beyond a 64-bit column's range."""
    if raw is None or len(raw) <= 18:  # 18 digits always fit
        return False
    try:
        return abs(int(raw)) > MAX_ROW_ID
    except ValueError:  # not an integer (FastAPI refuses it), or over Python's digit limit for int()
        return False


def refuse_wide_ints(dependant: Dependant, handler: Handler) -> Handler:
    """`handler`, preceded by the range check of the route's integer parameters (itself if it has none)."""
    path_names, query_names = _int_params(dependant)
    if not path_names and not query_names:
        return handler

    async def checked(request: Request) -> Response:
        for name in path_names:
            if too_wide(request.path_params.get(name)):
                raise NotFound(f"{name.removesuffix('_id').replace('_', ' ')} not found")  # as the scoped reads say
        for name in query_names:
            for raw in request.query_params.getlist(name):
                if too_wide(raw):
                    raise InvalidInput(f"{name} is out of range", field_errors={name: ["out of range"]})
        return await handler(request)

    return checked


def optional_id(value: str | None, name: str) -> int | None:
    """The row id of a query parameter read as text: None when it is absent or empty, a 400 naming the
    parameter when it spells no row id."""
    if value is None or value == "":
        return None
    found = id_from_text(value)
    if found is None:
        raise InvalidInput(f"{name} must be an id (a positive integer)", field_errors={name: ["must be an id"]})
    return found


def required_id(value: str | None, name: str) -> int:
    """`optional_id`, with a 400 when the parameter is absent."""
    found = optional_id(value, name)
    if found is None:
        raise InvalidInput(f"{name} is required", field_errors={name: ["this field is required"]})
    return found


def id_list(values: Iterable[str]) -> list[int]:
    """The row ids of repeated or comma-separated values (`?ids=1,2&ids=3`); what is not one is left out."""
    return [found for value in values for part in value.split(",") if (found := id_from_text(part)) is not None]
