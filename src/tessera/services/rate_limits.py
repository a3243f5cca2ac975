"""Client-side rate limits for connectors: at most `requests_per_minute` calls per connector, per process.

Each connector gets an evenly spaced schedule (a token bucket holding one token): a call may start no sooner
than 60/rpm seconds after the previous one reserved its slot. The limiter lives in the process that built
it (`create_app` makes one and gives it to the routes and the job handlers), so N server processes together
may send up to N × rpm requests a minute; the endpoint's own 429s, retried with backoff, cover the rest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tessera.domain.errors import TooMany


class RateLimits:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._next: dict[int, float] = {}
        self._lock = threading.Lock()

    def acquire(self, connector_id: int, per_minute: int, *, max_wait: float | None = None) -> float:
        """Wait for the connector's next slot and take it; the seconds waited. With `max_wait`, a slot further
        away than that is not taken and TooMany is raised instead (a live call should not hang)."""
        interval = 60.0 / per_minute if per_minute > 0 else 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(connector_id, now))
            wait = start - now
            if max_wait is not None and wait > max_wait:
                raise TooMany(
                    f"this connector's rate limit ({per_minute} requests a minute) is reached; retry in {wait:.0f} s"
                )
            self._next[connector_id] = start + interval
        if wait > 0:
            self._sleep(wait)
        return wait
