"""`GET /api/projects/{id}/exports`: the snapshots newest first (as Label Studio lists them), with Label Studio's
fields and Tessera's: the files' sizes and md5s, the format asked for while it is written, the creator's e-mail,
the error of a failed one; `limit` and `before` page the list."""

from __future__ import annotations

import hashlib

from tessera.db.tables import Export
from tests.api.conftest import Person, World

LS_FIELDS = {
    "id", "title", "created_by", "created_at", "finished_at", "status", "md5", "counters", "converted_formats",
    "task_filter_options", "annotation_filter_options", "serialization_options",
}  # fmt: skip


def _snapshot(world: World, who: Person, pid: int, **body: object) -> dict:
    r = world.client.post(f"/api/projects/{pid}/exports", json=body, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _list(world: World, who: Person, pid: int, query: str = "") -> list[dict]:
    r = world.client.get(f"/api/projects/{pid}/exports{query}", headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _bytes(world: World, who: Person, pid: int, export_id: int, fmt: str) -> bytes:
    r = world.client.get(f"/api/projects/{pid}/exports/{export_id}/download?exportType={fmt}", headers=who.headers)
    assert r.status_code == 200, r.text
    return r.content


def test_newest_first_with_sizes_md5s_and_the_creator(world: World, manager: Person) -> None:
    pid, _ids = world.project_with_tasks(manager, 3)
    first = _snapshot(world, manager, pid, title="first")
    second = _snapshot(
        world,
        manager,
        pid,
        title="second",
        export_type="CSV",
        task_filter_options={"only_with_annotations": True},
        annotation_filter_options={"ground_truth": True},
    )
    listed = _list(world, manager, pid)
    assert [e["id"] for e in listed] == [second["id"], first["id"]]
    newest = listed[0]
    assert LS_FIELDS <= set(newest)
    assert newest["status"] == "completed" and newest["title"] == "second"
    assert newest["created_by"]["email"] == "manager@example.com"
    assert newest["task_filter_options"] == {"only_with_annotations": True}
    assert newest["annotation_filter_options"] == {"ground_truth": True}
    json_file = _bytes(world, manager, pid, second["id"], "JSON")
    assert newest["size"] == len(json_file) and newest["md5"] == hashlib.md5(json_file).hexdigest()  # noqa: S324
    csv_file = _bytes(world, manager, pid, second["id"], "CSV")
    [converted] = newest["converted_formats"]
    assert converted == {
        "export_type": "CSV",
        "status": "completed",
        "md5": hashlib.md5(csv_file).hexdigest(),  # noqa: S324
        "size": len(csv_file),
    }
    assert listed[1]["converted_formats"] == [] and listed[1]["size"] > 0
    # a format converted on first download is listed with its size too
    _bytes(world, manager, pid, first["id"], "TSV")
    read = world.client.get(f"/api/projects/{pid}/exports/{first['id']}", headers=manager.headers).json()
    assert [(f["export_type"], f["status"]) for f in read["converted_formats"]] == [("TSV", "completed")]
    assert read["converted_formats"][0]["size"] > 0


def test_limit_and_before_page_the_list(world: World, manager: Person) -> None:
    pid, _ids = world.project_with_tasks(manager, 1)
    made = [_snapshot(world, manager, pid)["id"] for _ in range(5)]
    newest_first = made[::-1]
    assert [e["id"] for e in _list(world, manager, pid, "?limit=2")] == newest_first[:2]
    assert [e["id"] for e in _list(world, manager, pid, f"?limit=2&before={newest_first[1]}")] == newest_first[2:4]
    assert [e["id"] for e in _list(world, manager, pid, f"/?before={newest_first[3]}")] == newest_first[4:]
    r = world.client.get(f"/api/projects/{pid}/exports?limit=0", headers=manager.headers)
    assert r.status_code == 400 and "limit" in r.json()["validation_errors"], r.text


def test_a_queued_snapshot_lists_the_format_asked_and_a_failed_one_its_error(world: World, manager: Person) -> None:
    pid, _ids = world.project_with_tasks(manager, 2)
    world.app.state.jobs.stop()  # nobody runs the job: the snapshot stays queued
    r = world.client.post(
        f"/api/projects/{pid}/exports?async=true", json={"export_type": "JSON_MIN"}, headers=manager.headers
    )
    assert r.status_code == 201, r.text
    [queued] = _list(world, manager, pid)
    assert queued["status"] == "created" and queued["md5"] == "" and queued["size"] is None
    assert queued["converted_formats"] == [{"export_type": "JSON_MIN", "status": "created", "md5": None, "size": None}]
    assert queued["progress"]["task_total"] == 2
    with world.db.writer() as session:  # as the job runner leaves a snapshot whose job failed
        record = session.get(Export, queued["id"])
        assert record is not None
        record.status, record.error = "failed", "the disk is full"
        session.commit()
    [failed] = _list(world, manager, pid)
    assert failed["error"] == "the disk is full"
    assert failed["converted_formats"] == [{"export_type": "JSON_MIN", "status": "failed", "md5": None, "size": None}]


def test_a_queued_snapshot_of_labeled_tasks_counts_only_those(world: World, manager: Person) -> None:
    """The progress bar's total is the number of tasks the export will write, so it ends full."""
    pid, ids = world.project_with_tasks(manager, 3)
    result = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
    r = world.client.post(f"/api/tasks/{ids[1]}/annotations", json={"result": result}, headers=manager.headers)
    assert r.status_code == 201, r.text
    world.app.state.jobs.stop()
    body = {"task_filter_options": {"only_with_annotations": True}}
    r = world.client.post(f"/api/projects/{pid}/exports?async=true", json=body, headers=manager.headers)
    assert r.status_code == 201, r.text
    [queued] = _list(world, manager, pid)
    assert queued["progress"]["task_total"] == 1
