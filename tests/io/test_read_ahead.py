"""`read_ahead`: the items in order, taken on a second thread at most `depth` ahead; an early stop or an error
ends the reading thread and closes the source on it before the caller goes on."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tessera.io.read_ahead import read_ahead


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "read-ahead"}


def test_the_items_come_in_order_from_another_thread() -> None:
    made_on: set[str] = set()

    def items() -> Iterator[int]:
        for i in range(100):
            made_on.add(threading.current_thread().name)
            yield i

    assert list(read_ahead(items())) == list(range(100))
    assert made_on == {"read-ahead"}
    assert not _threads()


def test_at_most_depth_items_wait_ahead_of_the_caller() -> None:
    made: list[int] = []
    handed = threading.Event()

    def items() -> Iterator[int]:
        for i in range(10):
            made.append(i)
            yield i
        handed.set()

    reader = read_ahead(items(), depth=2)
    assert next(reader) == 0
    assert not handed.wait(0.3)  # it stopped ahead of the caller
    assert made == [0, 1, 2]  # the caller took 0: 1 and 2 made ahead, no more until it takes 1
    assert next(reader) == 1
    assert not handed.wait(0.3)
    assert made == [0, 1, 2, 3]
    assert list(reader) == list(range(2, 10))


def test_an_early_stop_closes_the_source_on_its_thread_before_the_caller_goes_on() -> None:
    closed_on: list[str] = []

    def items() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed_on.append(threading.current_thread().name)

    reader = read_ahead(items())
    assert next(reader) == 0
    reader.close()
    assert closed_on == ["read-ahead"]
    assert not _threads()


def test_a_caller_that_raises_stops_the_reading_thread() -> None:
    closed = threading.Event()

    def items() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.set()

    with pytest.raises(RuntimeError, match="client went away"):
        for i in read_ahead(items()):
            if i == 3:
                raise RuntimeError("client went away")
    assert closed.is_set()
    assert not _threads()


def test_the_sources_error_is_raised_on_the_callers_thread_after_its_items() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("the database went away")

    got = []
    with pytest.raises(ValueError, match="the database went away"):
        for item in read_ahead(items()):
            got.append(item)
    assert got == [1, 2]
    assert not _threads()
