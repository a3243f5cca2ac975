"""Read ahead: take the items of an iterator on a second thread while the caller works on the ones before.

An export's batches come from the database: the driver lets go of the GIL while it waits for the rows (on
PostgreSQL the server makes them in another process), so the next batch is on its way while this thread
formats the current one. At most `depth` items wait between the threads (memory stays bounded).

The source runs on the reading thread only, from its first item to its end, so it must not be used by the
caller meanwhile (an export's connection is the export's alone while it streams). When the caller stops
early (a client that disconnects, a closed generator, an exception), the reading thread is told to stop,
finishes the item it is reading, and the source is closed on that thread (its `finally` blocks run there:
a cursor closed, a setting put back) before the caller goes on; so the connection is free again when
`read_ahead`'s generator is closed. An exception of the source is raised on the caller's thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
DEPTH = 1  # items made and waiting beyond the one the caller holds
_END = object()


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterator[T], depth: int = DEPTH, *, name: str = "read-ahead") -> Iterator[T]:
    """The items of `items`, in order, taken on a second thread at most `depth` ahead of the caller."""
    waiting: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        """Hand `item` over unless the caller has stopped; False when it has."""
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    break
            else:
                put(_END)
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            put(_Failed(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                try:
                    close()
                except BaseException as exc:  # noqa: BLE001 - the caller has stopped or already has its end
                    put(_Failed(exc))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _END:
                return
            if type(item) is _Failed:
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
