"""GET /api/projects/{id}/export and snapshots: the new formats, and which tasks and annotations go out."""

from __future__ import annotations

import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest

from tests.api.conftest import CONFIG, Person, World

SPAN = {"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 5, "labels": ["PER"]}}


@pytest.fixture
def project(world: World, manager: Person) -> dict:
    """Three tasks: one annotated by the manager (ground truth) and an annotator, one by the annotator, one bare."""
    c, h = world.client, manager.headers
    pid = world.project(manager, CONFIG)
    annotator = world.person("annotator@example.com")
    world.join(pid, annotator, "annotator")
    r = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": f"Alice {i}"} for i in range(3)], headers=h
    )
    assert r.status_code == 201, r.text
    ids = r.json()["task_ids"]
    r = c.post(f"/api/tasks/{ids[0]}/annotations/", json={"result": [SPAN], "ground_truth": True}, headers=h)
    assert r.status_code == 201, r.text
    for task_id in ids[:2]:
        r = c.post(f"/api/tasks/{task_id}/annotations/", json={"result": [SPAN]}, headers=annotator.headers)
        assert r.status_code == 201, r.text
    return {"pid": pid, "ids": ids, "manager": manager, "annotator": annotator}


def _export(world: World, project: dict, query: str) -> list[dict]:
    r = world.client.get(
        f"/api/projects/{project['pid']}/export?exportType=JSONL&{query}", headers=project["manager"].headers
    )
    assert r.status_code == 200, r.text
    return [json.loads(line) for line in r.text.splitlines()]


def _who(tasks: list[dict]) -> list[list[int]]:
    return [[a["completed_by"] for a in task["annotations"]] for task in tasks]


def test_labeled_only_all_and_selected_tasks(world: World, project: dict) -> None:
    manager, annotator = project["manager"].id, project["annotator"].id
    assert _who(_export(world, project, "")) == [[manager, annotator], [annotator]]
    assert len(_export(world, project, "download_all_tasks=true")) == 3
    assert [t["id"] for t in _export(world, project, f"ids={project['ids'][2]}")] == [project["ids"][2]]


def test_annotations_of_chosen_annotators(world: World, project: dict) -> None:
    annotator = project["annotator"].id
    assert _who(_export(world, project, f"annotators={annotator}")) == [[annotator], [annotator]]
    assert _who(_export(world, project, f"annotators={project['manager'].id}")) == [[project["manager"].id]]
    # With every task asked for, a task keeps its place with no annotations left.
    assert _who(_export(world, project, f"annotators={project['manager'].id}&download_all_tasks=true")) == [
        [project["manager"].id],
        [],
        [],
    ]


def test_ground_truth_only(world: World, project: dict) -> None:
    tasks = _export(world, project, "ground_truth=true")
    assert _who(tasks) == [[project["manager"].id]] and tasks[0]["annotations"][0]["ground_truth"] is True


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("PARQUET", lambda body: pq.read_table(io.BytesIO(body)).num_rows == 2),
        ("HF_DATASET", lambda body: "README.md" in zipfile.ZipFile(io.BytesIO(body)).namelist()),
        ("CONLL2003", lambda body: body.decode().count("B-PER") == 3),
        ("SPACY", lambda body: len(json.loads(body)) == 3),
    ],
)
def test_the_new_formats_download(world: World, project: dict, fmt: str, check) -> None:
    r = world.client.get(f"/api/projects/{project['pid']}/export?exportType={fmt}", headers=project["manager"].headers)
    assert r.status_code == 200, r.text
    assert check(r.content)


def test_a_snapshot_keeps_its_filters_when_converted(world: World, project: dict) -> None:
    c, h, pid = world.client, project["manager"].headers, project["pid"]
    body = {"annotation_filter_options": {"ground_truth": True}, "task_filter_options": {"only_with_annotations": True}}
    r = c.post(f"/api/projects/{pid}/exports", json=body, headers=h)
    assert r.status_code == 201, r.text
    snapshot = r.json()["id"]
    assert r.json()["counters"] == {"task_number": 1}
    r = c.get(f"/api/projects/{pid}/exports/{snapshot}/download?exportType=CONLL2003", headers=h)
    assert r.status_code == 200, r.text
    assert r.text.count("B-PER") == 1
    r = c.get(f"/api/projects/{pid}/exports/{snapshot}/download?exportType=JSONL", headers=h)
    assert _who([json.loads(line) for line in r.text.splitlines()]) == [[project["manager"].id]]


def test_accepted_reviews_only(world: World, project: dict) -> None:
    """`reviewed=only` keeps annotations a review accepted (a reviewer's fix is one); `exclude` the others."""
    c, h, pid = world.client, project["manager"].headers, project["pid"]
    annotator, manager = project["annotator"].id, project["manager"].id
    theirs = [a for t in _export(world, project, "") for a in t["annotations"] if a["completed_by"] == annotator]
    assert c.post(f"/api/annotations/{theirs[0]['id']}/reviews", json={"accepted": True}, headers=h).status_code == 201
    r = c.post(f"/api/annotations/{theirs[1]['id']}/reviews", json={"accepted": False, "comment": "no"}, headers=h)
    assert r.status_code == 201, r.text
    assert _who(_export(world, project, "reviewed=only")) == [[annotator]]
    assert _who(_export(world, project, "reviewed=exclude")) == [[manager], [annotator]]
    body = {"annotation_filter_options": {"reviewed": "only"}, "task_filter_options": {"only_with_annotations": True}}
    r = c.post(f"/api/projects/{pid}/exports", json=body, headers=h)
    assert r.status_code == 201 and r.json()["counters"] == {"task_number": 1}, r.text
    for bad in (f"/api/projects/{pid}/export?exportType=JSON&reviewed=yes",):
        r = c.get(bad, headers=h)
        assert r.status_code == 400 and "reviewed: must be one of only, exclude" in r.text, r.text
    r = c.post(f"/api/projects/{pid}/exports", json={"annotation_filter_options": {"reviewed": 1}}, headers=h)
    assert r.status_code == 400 and "reviewed" in r.text, r.text
    assert len(c.get(f"/api/projects/{pid}/exports", headers=h).json()) == 1  # the refused one left nothing
