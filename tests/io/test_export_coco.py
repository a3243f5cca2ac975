"""COCO export against `label_studio_sdk.converter` (the outside oracle) and on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.io.ls_converter import image_tasks, ours, theirs, unzip

CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image">
    <Label value="animal"/><Label value="Cat" category="7"/><Label value="Dog"/>
  </RectangleLabels>
  <PolygonLabels name="outline" toName="image"><Label value="animal"/><Label value="Dog"/></PolygonLabels>
</View>"""
KEYPOINTS = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="animal"/></RectangleLabels>
  <KeyPointLabels name="points" toName="image">
    <Label value="ear_tip_left" model_index="0"/><Label value="ear_tip_right" model_index="1"/>
    <Label value="eye_left" model_index="2"/><Label value="eye_right" model_index="3"/>
    <Label value="nose" model_index="4"/><Label value="paw_left" model_index="5"/>
    <Label value="paw_right" model_index="6"/>
  </KeyPointLabels>
</View>"""


def _close(a: object, b: object) -> bool:
    """Equal, numbers to 1e-9 (the rotated box is computed another way)."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def _both(config: str, tmp_path: Path, tasks: list[dict] | None = None) -> tuple[dict, dict]:
    tasks = image_tasks() if tasks is None else tasks
    expected = json.loads((theirs(tasks, "COCO", config, tmp_path) / "result.json").read_bytes())
    got = json.loads(unzip(ours(tasks, "COCO", config))["result.json"])
    return expected, got


def test_boxes_polygons_and_categories_match_the_converter(tmp_path: Path) -> None:
    expected, got = _both(CONFIG, tmp_path)
    assert got["categories"] == expected["categories"]
    assert {"id": 7, "name": "Cat"} in got["categories"]  # the config's category attribute
    assert {"name": "Zebra", "id": len(expected["categories"]) - 1} in got["categories"]  # met only in a result
    assert len(got["annotations"]) == len(expected["annotations"]) == 8
    for mine, theirs_ in zip(got["annotations"], expected["annotations"], strict=True):
        assert _close(mine, theirs_), (mine, theirs_)
    assert [i["id"] for i in got["images"]] == [i["id"] for i in expected["images"]]
    for mine, theirs_ in zip(got["images"], expected["images"], strict=True):
        assert (mine["width"], mine["height"]) == (theirs_["width"], theirs_["height"])
    # No media is copied: the image reference stays as the task has it.
    assert got["images"][0]["file_name"] == "/data/upload/1/quokka.jpg"


def test_the_quokka_polygon_in_pixels(tmp_path: Path) -> None:
    _expected, got = _both(CONFIG, tmp_path, image_tasks()[:1])
    [box, outline] = got["annotations"]
    assert box["bbox"] == pytest.approx([148.0, 50.0, 402.0, 592.0])
    assert len(outline["segmentation"][0]) == 78
    assert outline["segmentation"][0][:2] == pytest.approx([422.0, 56.0])


def test_keypoints_merge_into_one_annotation_like_the_converter(tmp_path: Path) -> None:
    expected, got = _both(KEYPOINTS, tmp_path, image_tasks()[:1])
    assert got["categories"] == expected["categories"]
    assert got["categories"][-1]["name"] == "default" and len(got["categories"][-1]["keypoints"]) == 7
    assert _close(got["annotations"], expected["annotations"])
    assert got["annotations"][-1]["keypoints"][:3] == [163, 78, 2]


def test_a_result_from_an_unknown_control_is_left_out() -> None:
    tasks = image_tasks()[4:]
    got = json.loads(unzip(ours(tasks, "COCO", CONFIG))["result.json"])
    assert len(got["annotations"]) == 2  # the "unknown_control" box is not there
    assert [i["id"] for i in got["images"]] == [0, 1]  # one image per annotation, as Label Studio does
