"""The threads that run the API's sync endpoints (see `context.ContextRoute`), handed work straight from the
event loop.

FastAPI runs a sync endpoint through Starlette's `run_in_threadpool`, that is AnyIO's `to_thread.run_sync`: a
capacity limiter, a cancel scope and a queue of its own per call. An endpoint that is a coroutine handing its
body to this pool costs the event loop less: callgrind counted 3.22 M instructions per submit of the whole
server before and 3.11 M after (300 submits from 8 clients, 2026-11-29).

What AnyIO's call promised is kept: a request whose task is cancelled (the server shutting down) still waits
for its endpoint to finish, because the request's sessions are closed after the request's task returns and an
endpoint may be using them on its thread.

On PostgreSQL at most `AT_ONCE` bodies run at once; the next waits its turn on the event loop (holding no
thread), but never longer than `TURN_WAIT_S`: a body that waits on something else (a row lock, a slow export)
must not hold up the rest. Bodies that run at once share the interpreter's lock and the database's two
cores, and each took longer than it would in turn: 3,000 submits from 8 client processes, old and new in
turn four times (2026-11-29, 21:40), p95 20.0, 23.5, 19.8, 17.7 ms with all 8 at once against 17.1, 17.5,
17.3, 14.4 ms with 4; the server's CPU per submit 1.16–1.53 ms against 1.09–1.27 ms. On SQLite there is no
limit (`at_once=None`): its writers queue on the engine's writer slot anyway, and the same limit made the
submits slower there (p95 21.9, 23.9 ms against 18.1, 19.1 ms)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from weakref import WeakKeyDictionary

THREADS = 40  # as many as AnyIO's default limiter lets run at once
AT_ONCE = 4  # bodies that run at once on PostgreSQL before the next waits its turn
TURN_WAIT_S = 0.02  # the longest a body waits for its turn

_pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="tessera-endpoint")


class _Turns:
    """The bodies running on one event loop, and the requests waiting for a turn (their futures: True when
    a running body handed its turn over, False when the wait ran out)."""

    def __init__(self) -> None:
        self.running = 0
        self.waiting: deque[asyncio.Future[bool]] = deque()

    async def take(self, at_once: int | None) -> None:
        if at_once is None or self.running < at_once:
            self.running += 1
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[bool] = loop.create_future()
        self.waiting.append(turn)
        timer = loop.call_later(TURN_WAIT_S, _run_out, turn)
        try:
            handed = await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.result():
                self.give_back()  # handed over as the request was cancelled: pass it on
            raise
        finally:
            timer.cancel()
        if not handed:
            self.running += 1  # beyond `AT_ONCE`, as it waited long enough

    def give_back(self) -> None:
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(True)  # the turn goes on to it: `running` stays
                return
        self.running -= 1


def _run_out(turn: asyncio.Future[bool]) -> None:
    if not turn.done():
        turn.set_result(False)


_turns: WeakKeyDictionary[asyncio.AbstractEventLoop, _Turns] = WeakKeyDictionary()  # one per event loop


async def run_off_loop(fn: Callable[..., Any], *args: Any, at_once: int | None = None) -> Any:
    """`fn(*args)` on one of the endpoint threads, in its turn when `at_once` bodies at most should run at
    once (None: no limit); cancelling the caller waits until `fn` has returned."""
    loop = asyncio.get_running_loop()
    turns = _turns.get(loop)
    if turns is None:
        turns = _turns[loop] = _Turns()
    await turns.take(at_once)
    try:
        return await _run(fn, args)
    finally:
        turns.give_back()


async def _run(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
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
