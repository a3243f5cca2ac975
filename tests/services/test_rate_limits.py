"""The per-connector rate limit, on a fake clock: evenly spaced slots, separate per connector, and a live call
refused rather than kept waiting."""

from __future__ import annotations

import pytest

from tessera.domain.errors import TooMany
from tessera.services.rate_limits import RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_calls_are_spaced_by_sixty_over_rpm() -> None:
    clock = Clock()
    limits = RateLimits(clock, clock.sleep)
    waits = [limits.acquire(1, 120) for _ in range(4)]
    assert waits == [0.0, 0.5, 0.5, 0.5]
    assert clock.now == pytest.approx(101.5)


def test_connectors_do_not_share_a_budget() -> None:
    clock = Clock()
    limits = RateLimits(clock, clock.sleep)
    limits.acquire(1, 1)
    assert limits.acquire(2, 1) == 0.0


def test_an_idle_connector_does_not_bank_slots() -> None:
    clock = Clock()
    limits = RateLimits(clock, clock.sleep)
    limits.acquire(1, 60)
    clock.now += 100
    assert [limits.acquire(1, 60) for _ in range(2)] == [0.0, 1.0]


def test_a_slot_too_far_away_is_refused_and_not_taken() -> None:
    clock = Clock()
    limits = RateLimits(clock, clock.sleep)
    limits.acquire(1, 6)  # one call every 10 s
    with pytest.raises(TooMany, match="6 requests a minute"):
        limits.acquire(1, 6, max_wait=5)
    assert limits.acquire(1, 6) == 10.0  # the refused call took no slot
