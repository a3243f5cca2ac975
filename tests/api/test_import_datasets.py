"""COCO and YOLO datasets import as one task per image with the shapes as a prediction (or an annotation).
The oracle is `label_studio_sdk.converter`'s own COCO and YOLO importers, run on the same files: the tasks'
image references, shapes, labels, coordinates and image sizes must be the same."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk.converter.imports.coco import convert_coco_to_ls
from label_studio_sdk.converter.imports.yolo import convert_yolo_to_ls
from PIL import Image
from sqlalchemy import select

from tessera.db.tables import Job
from tests.api.conftest import Person, World

LABELS = "".join(f'<Label value="{v}"/>' for v in ("cat", "dog", "nose"))
CONFIG = f"""<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image">{LABELS}</RectangleLabels>
  <PolygonLabels name="outline" toName="image">{LABELS}</PolygonLabels>
  <KeyPointLabels name="point" toName="image">{LABELS}</KeyPointLabels>
</View>"""
BOXES_ONLY = (
    f'<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image">{LABELS}</RectangleLabels>'
    "</View>"
)
ROOT = "/data/local-files/?d=pets/"
# The SDK names its controls after the shape; ours come from the project's config.
LS_NAMES = {"label_rectangles": "box", "labelpolygons": "outline", "label_keypoints": "point", "label": "box"}

COCO = {
    "images": [
        {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
        {"id": 2, "file_name": "b.png", "width": 300, "height": 200},
        {"id": 7, "file_name": "empty.jpg", "width": 10, "height": 10},
    ],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}, {"id": 3, "name": "nose"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 100, 50.5], "iscrowd": 0,
         "segmentation": [[10, 20, 110, 20, 110, 70.5, 10, 70.5]]},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": [300, 100, 40, 40], "iscrowd": 0, "segmentation": []},
        {"id": 3, "image_id": 2, "category_id": 3, "keypoints": [30, 40, 2, 60, 80, 1]},
        {"id": 4, "image_id": 2, "category_id": 2, "bbox": [0, 0, 300, 200], "iscrowd": 0},
    ],
}  # fmt: skip


def _shapes(results: list[dict[str, Any]]) -> list[tuple]:
    """What must match: control, type, labels, geometry (rounded past float noise) and image size."""
    out = []
    for r in results:
        value = dict(r["value"])
        labels = value.pop(r["type"])
        geometry = {k: (round(v, 9) if isinstance(v, float) else v) for k, v in value.items()}
        if "points" in geometry:
            geometry["points"] = [[round(x, 9), round(y, 9)] for x, y in geometry["points"]]
        size = (r.get("original_width"), r.get("original_height"))
        out.append(
            (
                LS_NAMES.get(r["from_name"], r["from_name"]),
                r["type"],
                labels,
                json.dumps(geometry, sort_keys=True),
                size,
                r.get("score"),
            )
        )
    return sorted(out)


def _tasks(world: World, who: Person, pid: int) -> list[dict]:
    r = world.client.get("/api/tasks", params={"project": pid, "fields": "all"}, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()["tasks"]


def _post(world: World, who: Person, pid: int, name: str, content: bytes, **params: str):
    files = {"file": (name, content, "application/octet-stream")}
    return world.client.post(f"/api/projects/{pid}/import", params=params, files=files, headers=who.headers)


def test_coco_imports_as_the_sdk_converter_reads_it(world: World, manager: Person, tmp_path: Path) -> None:
    pid = world.project(manager, CONFIG)
    r = _post(world, manager, pid, "pets.json", json.dumps(COCO).encode(), format="coco", image_root_url=ROOT)
    assert r.status_code == 201, r.text
    assert (r.json()["task_count"], r.json()["prediction_count"], r.json()["left_out"]) == (3, 2, {})

    (tmp_path / "coco.json").write_text(json.dumps(COCO))
    convert_coco_to_ls(
        str(tmp_path / "coco.json"), str(tmp_path / "ls.json"), out_type="predictions", image_root_url=ROOT
    )
    expected = json.loads((tmp_path / "ls.json").read_text())
    got = _tasks(world, manager, pid)
    assert [t["data"]["image"] for t in got] == [t["data"]["image"] for t in expected]
    for ours, theirs in zip(got, expected, strict=True):
        want = _shapes(theirs["predictions"][0]["result"])
        assert _shapes(ours["predictions"][0]["result"] if ours["predictions"] else []) == want
        assert ours["annotations"] == []
    assert {p["model_version"] for t in got for p in t["predictions"]} == {"coco-import"}


def test_coco_as_annotations_and_with_shapes_the_config_cannot_hold(world: World, manager: Person) -> None:
    pid = world.project(manager, BOXES_ONLY)
    r = _post(world, manager, pid, "pets.json", json.dumps(COCO).encode(), format="coco", labels_as="annotations")
    assert r.status_code == 201, r.text
    assert r.json()["left_out"] == {"polygon": 1, "keypoint": 2}
    got = _tasks(world, manager, pid)
    assert [t["data"]["image"] for t in got] == ["a.jpg", "b.png", "empty.jpg"]
    assert [len(t["annotations"][0]["result"]) if t["annotations"] else 0 for t in got] == [2, 1, 0]
    assert all(t["predictions"] == [] for t in got)


def _png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(buf, "PNG")
    return buf.getvalue()


YOLO_LABELS = {
    "a": "0 0.5 0.5 0.25 0.5\n1 0.1 0.2 0.05 0.1 0.87\n",
    "b": "2 0.75 0.25 0.5 0.5\n",
    "c": "",
}
SIZES = {"a": (640, 480), "b": (320, 200), "c": (50, 60)}


def _yolo_zip(labels: dict[str, str], classes: str = "cat\ndog\nnose\n", top: str = "set/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{top}classes.txt", classes)
        for stem, text in labels.items():
            z.writestr(f"{top}images/{stem}.png", _png(SIZES[stem]))
            z.writestr(f"{top}labels/{stem}.txt", text)
    return buf.getvalue()


def test_yolo_imports_as_the_sdk_converter_reads_it(world: World, manager: Person, tmp_path: Path) -> None:
    pid = world.project(manager, CONFIG)
    r = _post(world, manager, pid, "pets.zip", _yolo_zip(YOLO_LABELS), format="yolo", image_root_url=ROOT)
    assert r.status_code == 201, r.text
    assert (r.json()["task_count"], r.json()["prediction_count"]) == (3, 2)

    with zipfile.ZipFile(io.BytesIO(_yolo_zip(YOLO_LABELS, top=""))) as z:
        z.extractall(tmp_path / "yolo")
    convert_yolo_to_ls(
        str(tmp_path / "yolo"), str(tmp_path / "ls.json"), out_type="predictions", image_root_url=ROOT, image_ext=".png"
    )
    expected = sorted(json.loads((tmp_path / "ls.json").read_text()), key=lambda t: t["data"]["image"])
    got = _tasks(world, manager, pid)
    assert [t["data"]["image"] for t in got] == [t["data"]["image"] for t in expected]
    for ours, theirs in zip(got, expected, strict=True):
        theirs_results = theirs["predictions"][0]["result"]
        assert _shapes(ours["predictions"][0]["result"] if ours["predictions"] else []) == _shapes(theirs_results)
    scored = [t["predictions"][0] for t in got if t["data"]["image"].endswith("a.png")][0]
    assert scored["score"] == pytest.approx(0.87)  # the mean of the boxes' confidences
    assert scored["model_version"] == "yolo-import"


def test_a_yolo_polygon_line(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    r = _post(world, manager, pid, "p.zip", _yolo_zip({"a": "1 0.1 0.1 0.5 0.1 0.3 0.4\n"}), format="yolo")
    assert r.status_code == 201, r.text
    (result,) = _tasks(world, manager, pid)[0]["predictions"][0]["result"]
    assert (result["from_name"], result["value"]["polygonlabels"]) == ("outline", ["dog"])
    assert result["value"]["points"] == [[10.0, 10.0], [50.0, 10.0], [30.0, 40.0]]
    assert (result["original_width"], result["original_height"]) == SIZES["a"]


def _coco(**changes: Any) -> str:
    return json.dumps({**COCO, **changes})


def _ann(**fields: Any) -> dict[str, Any]:
    return {"image_id": 1, "category_id": 1, "bbox": [1, 1, 1, 1], **fields}


HORSE = [{"id": 1, "name": "horse"}, *COCO["categories"][1:]]
BAD = [
    ("c.json", _coco(categories=HORSE), "coco", "horse"),
    ("c.json", _coco(annotations=[*COCO["annotations"], _ann(category_id=9)]), "coco", "annotations[4]: category_id 9"),
    ("c.json", _coco(annotations=[_ann(image_id=5)]), "coco", "annotations[0]: image_id 5 is not in images"),
    ("c.json", _coco(annotations=[_ann(bbox=[1, 1, 1])]), "coco", "annotations[0].bbox must be [x, y, width, height]"),
    ("c.json", '{"images": [', "coco", "not valid JSON"),
    ("c.json", json.dumps({"images": []}), "coco", "categories must be a list"),
    ("y.zip", None, "yolo", "labels/b.txt, line 2: class 7 is not in classes.txt"),
    ("y.zip", "no-classes", "yolo", "needs classes.txt"),
    ("y.zip", "bad-line", "yolo", "labels/a.txt, line 1: a YOLO line has a class and 4 or 5 numbers"),
    ("y.zip", "1 0.5 0.5", "zip", "unknown dataset format"),
]


@pytest.mark.parametrize(("name", "content", "fmt", "message"), BAD)
def test_a_bad_dataset_imports_nothing_and_says_why(
    world: World, manager: Person, name: str, content: str | None, fmt: str, message: str
) -> None:
    pid = world.project(manager, CONFIG)
    if fmt == "yolo" or fmt == "zip":
        labels = {"a": YOLO_LABELS["a"], "b": "0 0.5 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1\n"}
        if content == "bad-line":
            labels = {"a": "1 0.5 0.5\n"}
        data = _yolo_zip(labels, classes="" if content == "no-classes" else "cat\ndog\nnose\n")
        if content == "no-classes":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("labels/a.txt", "0 0.5 0.5 0.1 0.1\n")
            data = buf.getvalue()
    else:
        data = str(content).encode()
    r = _post(world, manager, pid, name, data, format=fmt)
    assert r.status_code == 400, r.text
    assert message in r.json()["detail"], r.json()["detail"]
    assert _tasks(world, manager, pid) == []


def test_a_project_without_an_image_refuses_a_dataset(world: World, manager: Person) -> None:
    pid = world.project(manager)  # the default text config
    r = _post(world, manager, pid, "pets.json", json.dumps(COCO).encode(), format="coco")
    assert r.status_code == 400 and "no Image tag" in r.json()["detail"], r.text


def _wait(client: Any, who: Person, pid: int, import_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"/api/projects/{pid}/imports/{import_id}", headers=who.headers).json()
        if state["status"] in ("completed", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} did not finish: {state}")


def test_an_async_coco_import_runs_as_a_job(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    r = _post(world, manager, pid, "pets.json", json.dumps(COCO).encode(), format="coco", **{"async": "true"})
    assert r.status_code == 201 and r.json()["task_count"] == 0, r.text
    state = _wait(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "completed", state
    assert (state["task_count"], state["prediction_count"], len(state["task_ids"])) == (3, 2, 3)
    assert [t["data"]["image"] for t in _tasks(world, manager, pid)] == ["a.jpg", "b.png", "empty.jpg"]
    with world.db.reader() as s:
        assert s.scalar(select(Job.result))["left_out"] == {}


def test_a_big_yolo_archive_runs_as_a_job(client_with: Any, world: World, manager: Person) -> None:
    client = client_with(import_job_bytes=100)
    pid = world.project(manager, CONFIG)
    files = {"file": ("pets.zip", _yolo_zip(YOLO_LABELS), "application/zip")}
    r = client.post(f"/api/projects/{pid}/import", params={"format": "yolo"}, files=files, headers=manager.headers)
    assert r.status_code == 201 and isinstance(r.json()["import"], int), r.text
    state = _wait(client, manager, pid, r.json()["import"])
    assert (state["status"], state["task_count"], state["prediction_count"]) == ("completed", 3, 2), state


def test_a_bad_dataset_fails_its_job_and_imports_nothing(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    bad = _coco(annotations=[_ann(image_id=5)])
    r = _post(world, manager, pid, "c.json", bad.encode(), format="coco", **{"async": "true"})
    state = _wait(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "failed" and "annotations[0]: image_id 5 is not in images" in state["error"], state
    assert _tasks(world, manager, pid) == []
    assert [p for p in (world.settings.data_dir / "uploads").rglob("*") if p.is_file()] == []
