"""JSON_MIN export: Label Studio's recorded bytes."""

from __future__ import annotations

import io
import json

from tessera.io.export_json_min import write_json_min
from tests.io.conftest import SAMPLES

BOX = {
    "id": "b1",
    "from_name": "label",
    "to_name": "image",
    "type": "rectanglelabels",
    "original_width": 640,
    "original_height": 480,
    "image_rotation": 0,
    "value": {"x": 10.0, "y": 20.0, "width": 25.0, "height": 50.0, "rotation": 0, "rectanglelabels": ["Cat"]},
}


def bbox_task(image: str) -> dict:
    """The one-box task behind the recorded bbox exports (its JSON export was not recorded)."""
    annotation = {
        "id": 5,
        "completed_by": 1,
        "result": [BOX],
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2026-11-26T19:14:16.294140Z",
        "updated_at": "2026-11-26T19:14:16.294153Z",
        "lead_time": 3.0,
    }
    return {"id": 2, "data": {"image": image}, "annotations": [annotation], "predictions": []}


BBOX_SCHEMA = {"label": {"type": "RectangleLabels", "to_name": ["image"]}}


def _written(tasks, schema) -> bytes:
    out = io.BytesIO()
    write_json_min(tasks, out, schema=schema)
    return out.getvalue()


def test_the_recorded_all_tags_export_byte_for_byte(all_tags_tasks: list[dict], all_tags_schema: dict) -> None:
    expected = (SAMPLES / "all_tags_export_JSON_MIN.json").read_bytes()
    assert _written(all_tags_tasks, all_tags_schema) == expected


def test_the_recorded_bbox_export() -> None:
    recorded = json.loads((SAMPLES / "bbox_export_JSON_MIN.json").read_bytes())["body"]  # cut short
    written = _written([bbox_task("images/cat.jpg")], BBOX_SCHEMA).decode()
    assert written.startswith(recorded)
    assert written.endswith('"updated_at": "2026-11-26T19:14:16.294153Z",\n  "lead_time": 3.0\n}\n]')


def test_empty_export_is_the_converters_empty_list() -> None:
    assert _written([], BBOX_SCHEMA) == b"[\n\n]"
    assert json.loads(_written([], BBOX_SCHEMA)) == []


def test_returns_the_row_count() -> None:
    tasks = [bbox_task("a.jpg"), {"id": 3, "data": {"image": "b.jpg"}, "annotations": []}]
    out = io.BytesIO()
    assert write_json_min(tasks, out, schema=BBOX_SCHEMA) == 2
    assert [row["id"] for row in json.loads(out.getvalue())] == [2, 3]
