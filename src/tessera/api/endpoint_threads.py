"""The threads that run the API's sync endpoints (see `context.ContextRoute`), handed work straight from the
event loop.

FastAPI runs a sync endpoint through Starlette's `run_in_threadpool`, that is AnyIO's `to_thread.run_sync`: a
capacity limiter, a cancel scope and a queue of its own per call. An endpoint that is a coroutine handing its
body to this pool costs the event loop less: callgrind counted 3.22 M instructions per submit of the whole
server before and 3.11 M after (300 submits from 8 clients, 2026-11-29).

What AnyIO's call promised is kept: a request whose task is cancelled (the server shutting down) still waits
for its endpoint to finish, because the request's sessions are closed after the request's task returns and an
endpoint may be using them on its thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

THREADS = 40  # as many as AnyIO's default limiter lets run at once

_pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="tessera-endpoint")


async def run_off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` on one of the endpoint threads; cancelling the caller waits until `fn` has returned."""
    done = asyncio.wrap_future(_pool.submit(fn, *args))
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        while not done.done():
            try:
                await asyncio.shield(done)
            except asyncio.CancelledError:
                continue
            except BaseException:  # its error has no caller left: the request's task is cancelled
                break
        raise
