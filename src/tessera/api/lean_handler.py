"""A lean request handler for the API's simplest routes, used by `context.ContextRoute` in place of FastAPI's.

A route qualifies when its sync endpoint takes only integer or text path parameters, the JSON body
(`json_body`) and a context (`context`, `admin_context`, `write_context`), and answers with a `Response` of
its own. FastAPI's handler then has nothing to validate or serialize that this one does not do: it would solve
the dependencies through its general machinery and look for a response model, background tasks and the like,
about 0.45 M instructions per request (callgrind on the server, 300 submits from 8 clients, 2026-11-29:
3.11 M per submit through FastAPI's handler, 2.67 M through a handler like this one). FastAPI still builds the
route's OpenAPI schema from the same signature.

The answers are FastAPI's: a path value that is not plain digits for an integer parameter goes to FastAPI's
handler, which refuses it as before; the dependencies run in the signature's order, as FastAPI runs them;
errors go up to the same exception handlers. `tests/api/test_lean_routes.py` sends the same requests through
both handlers and compares the answers.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]
Step = tuple[str, Any]  # (parameter name, int or str for a path parameter, or the dependency to await)

LARGEST_ID_DIGITS = 18  # ids fit in a signed 64-bit integer


def lean_steps(
    path: str, endpoint: Callable[..., Any], dependencies: Collection[Callable[..., Any]]
) -> list[Step] | None:
    """How a lean handler makes the endpoint's arguments, or None when the endpoint does not qualify:
    `dependencies` are the async request dependencies it may use (each called with the request)."""
    try:
        hints = typing.get_type_hints(endpoint)
    except (NameError, TypeError):
        return None
    answer = hints.get("return")
    if not (inspect.isclass(answer) and issubclass(answer, Response)):
        return None
    steps: list[Step] = []
    for name, param in inspect.signature(endpoint).parameters.items():
        dependency = getattr(param.default, "dependency", None)
        if dependency is not None:
            if dependency not in dependencies:
                return None
            steps.append((name, dependency))
        elif "{" + name + "}" in path and hints.get(name) in (int, str):
            steps.append((name, hints[name]))
        else:
            return None
    return steps


def lean_handler(steps: list[Step], endpoint: Callable[..., Awaitable[Any]], fallback: Handler) -> Handler:
    """The handler of a qualifying route: `endpoint` is the route's (async) endpoint; `fallback` FastAPI's
    handler, for a path value it would refuse."""

    async def handle(request: Request) -> Response:
        path = request.path_params
        for name, kind in steps:
            if kind is int:
                raw = path[name]
                if not (raw.isascii() and raw.isdigit() and len(raw) <= LARGEST_ID_DIGITS):
                    return await fallback(request)
        kwargs: dict[str, Any] = {}
        for name, kind in steps:
            if kind is int:
                kwargs[name] = int(path[name])
            elif kind is str:
                kwargs[name] = path[name]
            else:
                kwargs[name] = await kind(request)
        return await endpoint(**kwargs)

    return handle
