"""Fewer runs of Python's cyclic garbage collector while an export streams.

The collector runs its youngest generation each time 700 more containers (tuples, lists, dicts) have been made
than freed, and now and then all of them, which walks every object of the process (the app's modules,
SQLAlchemy's, pyarrow's). An export makes millions of containers that outlive a few batches (the driver's row
tuples, the batches read ahead, the column lists) and none of them in a cycle: a 1,000,000-task Parquet export
on PostgreSQL ran the collector about 4,600 times, 4.9 s in all, each run holding the GIL and so stopping every
thread of the export (docs/performance.md). While an export runs, the youngest generation's threshold is
raised to `THRESHOLD` (the older generations' follow it, as they count its runs): the collector still runs, a
few times per million tasks, so cyclic garbage made meanwhile by other requests is still freed.

Process-wide setting, shared by the exports that run at once (the server's jobs run on threads): the first to
start raises it, the last to end puts back what was there before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = 50_000
_lock = threading.Lock()
_running = 0
_saved: tuple[int, ...] = ()


@contextmanager
def rare_collections(threshold: int = THRESHOLD) -> Iterator[None]:
    """The block run with the collector's first threshold at least `threshold` (never lowered: someone may have
    raised it further, or turned the collector off, which stays off)."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            if 0 < _saved[0] < threshold:
                gc.set_threshold(threshold, *_saved[1:])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
