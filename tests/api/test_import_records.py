"""`GET /api/projects/{id}/imports/{import_id}`: a completed import's state and counts, scoped to its project."""

from __future__ import annotations

from sqlalchemy import select

from tessera.db.tables import ImportRecord
from tests.api.conftest import Person, World

RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def last_import(world: World, pid: int) -> int:
    with world.db.reader() as s:
        return s.scalars(select(ImportRecord.id).where(ImportRecord.project_id == pid).order_by(ImportRecord.id)).all()[
            -1
        ]


def test_a_completed_import_reports_its_counts(world: World, manager: Person) -> None:
    pid = world.project(manager)
    tasks = [{"data": {"text": "a"}, "annotations": [{"result": RESULT}], "predictions": [{"result": RESULT}]}]
    tasks += [{"text": "b"}]
    r = world.client.post(f"/api/projects/{pid}/import", json=tasks, headers=manager.headers)
    assert r.status_code == 201, r.text
    got = world.client.get(f"/api/projects/{pid}/imports/{last_import(world, pid)}", headers=manager.headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["project"], body["status"]) == (pid, "completed")
    assert (body["task_count"], body["annotation_count"], body["prediction_count"]) == (2, 1, 1)
    assert body["data_columns"] == ["text"] and body["duration"] >= 0 and body["finished_at"]


def test_an_import_is_found_only_through_its_own_project(world: World, manager: Person) -> None:
    mine, other = world.project(manager), world.project(manager)
    world.client.post(f"/api/projects/{mine}/import", json=[{"text": "a"}], headers=manager.headers)
    record = last_import(world, mine)
    assert world.client.get(f"/api/projects/{other}/imports/{record}", headers=manager.headers).status_code == 404
    outsider = world.person("outsider@example.com")
    assert world.client.get(f"/api/projects/{mine}/imports/{record}", headers=outsider.headers).status_code == 404
    annotator = world.person("annotator@example.com")
    world.join(mine, annotator, "annotator")
    assert world.client.get(f"/api/projects/{mine}/imports/{record}", headers=annotator.headers).status_code == 200
    assert world.client.get(f"/api/projects/{mine}/imports/999999", headers=manager.headers).status_code == 404
