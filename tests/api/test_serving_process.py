"""A process that serves (`tessera start`, each worker of `--workers N`) freezes what it holds once the app is
built out of the garbage collector's sight; building an app alone (as the tests do) freezes nothing."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tessera.server import create_app, ready_to_serve
from tessera.settings import load_settings


def test_an_app_made_ready_to_serve_leaves_its_objects_out_of_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESSERA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TESSERA_DATABASE_URL", raising=False)
    assert gc.get_freeze_count() == 0
    app = create_app(load_settings())
    assert gc.get_freeze_count() == 0  # built, not frozen
    try:
        assert ready_to_serve(app) is app
        assert gc.get_freeze_count() > 10_000  # the modules, the app, its routes
        assert not any(o is app for o in gc.get_objects())  # no longer among the collector's objects
    finally:
        gc.unfreeze()
        app.state.db.dispose()
