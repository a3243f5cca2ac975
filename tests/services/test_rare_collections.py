"""The collector's threshold while exports run: raised, shared by exports at once, put back by the last."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from tessera.services.rare_collections import THRESHOLD, rare_collections


@pytest.fixture(autouse=True)
def _usual_threshold() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_the_threshold_is_raised_while_an_export_runs_and_put_back_after() -> None:
    with rare_collections():
        assert gc.get_threshold() == (THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_it_is_put_back_when_the_export_fails() -> None:
    with pytest.raises(RuntimeError), rare_collections():
        raise RuntimeError("the export failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_or_a_collector_turned_off_is_left_as_it_is() -> None:
    for threshold in ((THRESHOLD * 2, 5, 5), (0, 10, 10)):
        gc.set_threshold(*threshold)
        with rare_collections():
            assert gc.get_threshold() == threshold
        assert gc.get_threshold() == threshold


def test_exports_at_once_share_it_and_the_last_one_puts_it_back() -> None:
    first_in, first_may_end = threading.Event(), threading.Event()
    seen = []

    def first() -> None:
        with rare_collections():
            first_in.set()
            first_may_end.wait(5)
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with rare_collections():
        pass
    seen.append(gc.get_threshold())  # the first export still runs: still raised
    first_may_end.set()
    thread.join(5)
    assert seen == [(THRESHOLD, 10, 10), (THRESHOLD, 10, 10)]
    assert gc.get_threshold() == (700, 10, 10)
