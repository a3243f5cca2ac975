"""Endpoint bodies run on the endpoint threads; a cancelled request still waits for its body to finish, since
its sessions are closed once the request's task returns."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tessera.api import endpoint_threads
from tessera.api.endpoint_threads import run_off_loop


def test_the_body_runs_off_the_loop_and_its_value_or_error_comes_back() -> None:
    async def main() -> None:
        loop_thread = threading.get_ident()
        assert await run_off_loop(lambda a, b: (a + b, threading.get_ident() != loop_thread), 2, 3) == (5, True)

        def fail() -> None:
            raise ValueError("from the body")

        with pytest.raises(ValueError, match="from the body"):
            await run_off_loop(fail)

    asyncio.run(main())


def test_a_cancelled_caller_waits_until_the_body_has_returned() -> None:
    finished: list[float] = []

    def body() -> str:
        time.sleep(0.3)
        finished.append(time.monotonic())
        return "done"

    async def main() -> float:
        task = asyncio.create_task(run_off_loop(body))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.sleep(0.01)
        task.cancel()  # cancelled twice: it still waits
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic()

    returned = asyncio.run(main())
    assert finished and finished[0] <= returned


def test_a_cancelled_caller_whose_body_fails_is_still_cancelled() -> None:
    def body() -> None:
        time.sleep(0.2)
        raise RuntimeError("nobody is waiting")

    async def main() -> None:
        task = asyncio.create_task(run_off_loop(body))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def _at_most(bodies: int, at_once: int | None, hold: float) -> int:
    """The most bodies seen running at once among `bodies` started together, each holding `hold` seconds."""
    lock = threading.Lock()
    running = [0, 0]  # now, most

    def body() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(hold)
        with lock:
            running[0] -= 1

    async def main() -> None:
        await asyncio.gather(*(run_off_loop(body, at_once=at_once) for _ in range(bodies)))

    asyncio.run(main())
    return running[1]


def test_bodies_take_turns_when_told_how_many_may_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(endpoint_threads, "TURN_WAIT_S", 5.0)
    assert _at_most(10, 3, 0.03) == 3
    assert _at_most(10, None, 0.1) == 10  # no limit (SQLite's)


def test_a_body_waits_for_its_turn_no_longer_than_the_turn_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two bodies hold their turns until a third has run: it runs once its wait is over."""
    monkeypatch.setattr(endpoint_threads, "TURN_WAIT_S", 0.05)
    third_ran = threading.Event()

    def holder() -> bool:
        return third_ran.wait(5)

    async def main() -> list[bool]:
        holders = [asyncio.create_task(run_off_loop(holder, at_once=2)) for _ in range(2)]
        await asyncio.sleep(0.01)
        started = time.monotonic()
        await run_off_loop(third_ran.set, at_once=2)
        assert time.monotonic() - started >= 0.04
        return await asyncio.gather(*holders)

    assert asyncio.run(main()) == [True, True]


def test_a_request_cancelled_while_waiting_for_its_turn_leaves_the_turns_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(endpoint_threads, "TURN_WAIT_S", 5.0)

    async def main() -> int:
        gate = threading.Event()
        holding = asyncio.create_task(run_off_loop(gate.wait, 5, at_once=1))
        await asyncio.sleep(0.01)
        waiting = asyncio.create_task(run_off_loop(lambda: None, at_once=1))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        gate.set()
        await holding
        turns = endpoint_threads._turns[asyncio.get_running_loop()]
        return turns.running

    assert asyncio.run(main()) == 0
