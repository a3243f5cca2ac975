"""GET /api/projects/{id}/export/formats: every format, those that do not fit the config `disabled`."""

from __future__ import annotations

import json

from tests.api.conftest import CONFIG, Person, World

IMAGE_CONFIG = """<View><Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/></RectangleLabels></View>"""
KEYPOINTS_ONLY = """<View><Image name="image" value="$image"/>
  <KeyPointLabels name="kp" toName="image"><Label value="nose"/></KeyPointLabels></View>"""
# Label Studio 1.23's answer for a project with a Text object, Labels and Choices: names and `disabled` only.
LS_TEXT_PROJECT = {"JSON": None, "JSON_MIN": None, "CSV": None, "TSV": None, "CONLL2003": None, "COCO": True}


def _formats(world: World, person: Person, config: str) -> dict[str, dict]:
    pid = world.project(person, config)
    r = world.client.get(f"/api/projects/{pid}/export/formats", headers=person.headers)
    assert r.status_code == 200, r.text
    return {entry["name"]: entry for entry in r.json()}


def _enabled(listed: dict[str, dict]) -> set[str]:
    return {name for name, entry in listed.items() if not entry["disabled"]}


def test_a_text_project_offers_the_span_formats(world: World, manager: Person) -> None:
    listed = _formats(world, manager, CONFIG)
    flat = {"JSON", "JSON_MIN", "CSV", "TSV", "JSONL", "PARQUET", "HF_DATASET"}
    assert _enabled(listed) == flat | {"CONLL2003", "SPACY"}
    for name, disabled in LS_TEXT_PROJECT.items():  # the same verdicts as Label Studio's
        assert listed[name]["disabled"] is bool(disabled)
    entry = listed["CONLL2003"]
    assert set(entry) == {"name", "title", "description", "tags", "disabled"}
    assert entry["title"] == "CONLL2003" and "named entity recognition" in entry["tags"]
    assert json.dumps(entry)  # plain JSON


def test_an_image_project_offers_the_image_formats(world: World, manager: Person) -> None:
    listed = _formats(world, manager, IMAGE_CONFIG)
    assert {"COCO", "YOLO", "VOC"} <= _enabled(listed)
    assert listed["CONLL2003"]["disabled"] and listed["SPACY"]["disabled"]


def test_keypoints_without_boxes_have_no_coco_or_yolo(world: World, manager: Person) -> None:
    listed = _formats(world, manager, KEYPOINTS_ONLY)
    assert not _enabled(listed) & {"COCO", "YOLO", "VOC"}


def test_two_objects_leave_the_flat_formats_only(world: World, manager: Person) -> None:
    text = '<Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A"/></Labels></View>'
    listed = _formats(world, manager, IMAGE_CONFIG.replace("</View>", text))
    assert _enabled(listed) == {"JSON", "JSON_MIN", "CSV", "TSV", "JSONL", "PARQUET", "HF_DATASET"}


def test_an_outsider_gets_404(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    other = world.person("other@example.com")
    assert world.client.get(f"/api/projects/{pid}/export/formats", headers=other.headers).status_code == 404
