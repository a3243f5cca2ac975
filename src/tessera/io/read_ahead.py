"""Read ahead: take the items of an iterator on a second thread while the caller works on the ones before.

An export's batches come from the database: the driver lets go of the GIL while it waits for the rows (on
PostgreSQL the server makes them in another process), so the next batch is on its way while this thread
formats the current one. The reading thread starts an item only when the caller has taken the one before
(`depth` items at most are made or waiting ahead of the caller): memory stays bounded, and a caller that
stops taking items (a client gone, before its generator is closed) leaves at most that one read in flight,
never a stream of them.

The source runs on the reading thread only, from its first item to its end, so it must not be used by the
caller meanwhile (an export's connection is the export's alone while it streams). When the caller stops
early (a closed generator, an exception), the reading thread is told to stop, finishes the item it is
reading, and the source is closed on that thread (its `finally` blocks run there: a setting put back)
before the caller goes on; so the connection is free again when `read_ahead`'s generator is closed. An
exception of the source is raised on the caller's thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
DEPTH = 1  # items made or being made beyond the one the caller holds
_END = object()


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterator[T], depth: int = DEPTH, *, name: str = "read-ahead") -> Iterator[T]:
    """The items of `items`, in order, taken on a second thread at most `depth` ahead of the caller."""
    waiting: queue.SimpleQueue[object] = queue.SimpleQueue()
    ahead = threading.Semaphore(depth)  # released by the caller as it takes each item
    stop = threading.Event()

    def may_read() -> bool:
        """Wait until the caller has taken enough items for one more to be made; False once it has stopped."""
        while not stop.is_set():
            if ahead.acquire(timeout=0.05):
                return not stop.is_set()
        return False

    def run() -> None:
        try:
            while may_read():
                item = next(items, _END)
                waiting.put(item)
                if item is _END:
                    break
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            waiting.put(_Failed(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                try:
                    close()
                except BaseException as exc:  # noqa: BLE001 - the caller has stopped or already has its end
                    waiting.put(_Failed(exc))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            ahead.release()
            if item is _END:
                return
            if type(item) is _Failed:
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
