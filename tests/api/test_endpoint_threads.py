"""Endpoint bodies run on the endpoint threads; a cancelled request still waits for its body to finish, since
its sessions are closed once the request's task returns."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

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
