"""YOLO export against `label_studio_sdk.converter` (the outside oracle) and on its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.io.ls_converter import image_tasks, ours, theirs, unzip
from tests.io.test_export_coco import CONFIG, KEYPOINTS


def _lines(text: str) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in text.splitlines() if line.strip()]


def _their_files(folder: Path) -> dict[str, str]:
    """Label files by image name; the converter prefixes a hash to names it would download from a URL."""
    return {
        re.sub(r"^[0-9a-f]{8}__", "", p.stem): p.read_text(encoding="utf-8") for p in (folder / "labels").glob("*.txt")
    }


def _compare(config: str, tmp_path: Path, tasks: list[dict]) -> dict[str, bytes]:
    folder = theirs(tasks, "YOLO", config, tmp_path)
    files = unzip(ours(tasks, "YOLO", config))
    mine = {name[len("labels/") : -len(".txt")]: text.decode() for name, text in files.items() if "labels/" in name}
    expected = _their_files(folder)
    assert mine.keys() == expected.keys()
    for name, text in expected.items():
        assert _lines(mine[name]) == [pytest.approx(line, rel=1e-12) for line in _lines(text)], name
    assert files["classes.txt"].decode() == (folder / "classes.txt").read_text(encoding="utf-8")
    notes = json.loads((folder / "notes.json").read_text(encoding="utf-8"))
    assert json.loads(files["notes.json"])["categories"] == notes["categories"]
    return files


def test_boxes_polygons_and_classes_match_the_converter(tmp_path: Path) -> None:
    files = _compare(CONFIG, tmp_path, image_tasks())
    assert files["labels/empty.txt"] == b""  # a task without annotations gets an empty file
    street = _lines(files["labels/street.txt"].decode())
    assert street[0] == pytest.approx([7, 0.25, 0.4, 0.3, 0.4])  # "Cat" is category 7 in the config
    assert len(street[2]) == 1 + 2 * 4  # the polygon's four points
    assert files["classes.txt"].decode().splitlines()[-1] == "Zebra"


def test_keypoints_follow_their_box_like_the_converter(tmp_path: Path) -> None:
    files = _compare(KEYPOINTS, tmp_path, image_tasks()[:1])
    [line] = _lines(files["labels/quokka.txt"].decode())
    assert len(line) == 5 + 3 * 7
    assert line[5:8] == pytest.approx([163 / 960, 78 / 643, 2])


def test_two_annotations_keep_the_one_label_studio_keeps_and_names_do_not_collide() -> None:
    tasks = image_tasks()[4:]
    twin = json.loads(json.dumps(tasks[0]))
    twin["id"] = 99
    files = unzip(ours([*tasks, twin], "YOLO", CONFIG))
    assert sorted(files) == ["classes.txt", "labels/two-99.txt", "labels/two.txt", "notes.json"]
    # The task's oldest annotation (the converter writes the newest first, then overwrites it).
    assert _lines(files["labels/two.txt"].decode())[0][1:3] == pytest.approx([0.1, 0.1])
