"""JSON export: Label Studio's bytes for the same tasks, streamed in batches."""

from __future__ import annotations

import io
import json

from tessera.io import export_json
from tessera.io.export_json import write_json
from tests.io.conftest import SAMPLES


def _written(tasks, **options) -> bytes:
    out = io.BytesIO()
    write_json(tasks, out, **options)
    return out.getvalue()


def test_the_recorded_export_byte_for_byte(all_tags_tasks: list[dict]) -> None:
    assert _written(all_tags_tasks) == (SAMPLES / "all_tags_export_JSON.json").read_bytes()


def test_empty() -> None:
    assert _written([]) == b"[]"


def test_content_round_trips_and_the_count_is_returned() -> None:
    tasks = [
        {"id": i, "data": {"text": f"t/{i} é 😀 \u2028", "n": i / 7, "tiny": 1.5e-7}, "annotations": []}
        for i in range(5)
    ]
    out = io.BytesIO()
    assert write_json(iter(tasks), out) == 5
    assert json.loads(out.getvalue()) == tasks
    assert "é 😀".encode() in out.getvalue()  # not \u-escaped
    assert b"t\\/0" in out.getvalue() and b"1.5e-7" in out.getvalue()  # as Label Studio's ujson writes


def test_a_lone_surrogate_is_written_as_its_escape() -> None:
    written = _written([{"data": {"text": "a\ud800b"}}])
    assert written == b'[{"data":{"text":"a\\ud800b"}}]'
    assert json.loads(written) == [{"data": {"text": "a\ud800b"}}]


def test_tasks_are_written_in_batches_while_iterating(monkeypatch) -> None:
    monkeypatch.setattr(export_json, "CHUNK_BYTES", 100)
    out = io.BytesIO()
    seen_sizes = []

    def tasks():
        for i in range(50):
            seen_sizes.append(len(out.getvalue()))
            yield {"id": i, "data": {"text": "x" * 20}}

    write_json(tasks(), out)
    assert seen_sizes[-1] > 1000  # most of the file was out before the last task was made
    assert [t["id"] for t in json.loads(out.getvalue())] == list(range(50))
