"""Snapshots of big projects (or with `?async=true`) are made by a job: the POST answers at once, the record
shows the tasks written while it runs, and the file is the same as the one made inside a request."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tessera.db.tables import Export, Project
from tessera.services import export_jobs, exports
from tests.api.conftest import Person, World

CHOICE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def _project(world: World, manager: Person, n: int) -> int:
    pid = world.project(manager)
    body = [
        {"data": {"text": f"task {i}"}, "annotations": [{"result": CHOICE}] if i % 3 == 0 else []} for i in range(n)
    ]
    assert world.client.post(f"/api/projects/{pid}/import", json=body, headers=manager.headers).status_code == 201
    return pid


def _wait(
    world: World, who: Person, pid: int, export_id: int, timeout: float = 60, client: Any = None
) -> dict[str, Any]:
    client = client or world.client
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        r = client.get(f"/api/projects/{pid}/exports/{export_id}", headers=who.headers)
        assert r.status_code == 200, r.text
        seen.append(r.json())
        if r.json()["status"] in ("completed", "failed"):
            return {"final": r.json(), "seen": seen}
        time.sleep(0.05)
    raise AssertionError(f"export {export_id} did not finish: {seen[-1]}")


def _download(world: World, who: Person, pid: int, export_id: int) -> list[dict]:
    r = world.client.get(f"/api/projects/{pid}/exports/{export_id}/download?exportType=JSON", headers=who.headers)
    assert r.status_code == 200, r.text
    return json.loads(r.content)


def test_an_async_snapshot_is_made_by_a_job_and_equals_the_inline_one(world: World, manager: Person) -> None:
    pid = _project(world, manager, 2500)
    inline = world.client.post(f"/api/projects/{pid}/exports", json={}, headers=manager.headers)
    assert inline.status_code == 201 and inline.json()["status"] == "completed", inline.text

    r = world.client.post(f"/api/projects/{pid}/exports?async=true", json={}, headers=manager.headers)
    assert r.status_code == 201, r.text
    assert r.json()["status"] in ("created", "in_progress", "completed")
    done = _wait(world, manager, pid, r.json()["id"])
    assert done["final"]["status"] == "completed"
    assert done["final"]["counters"] == {"task_number": 2500}
    assert "progress" not in done["final"]
    for state in done["seen"][:-1]:  # while it ran, where a reader caught it
        assert 0 <= state["progress"]["tasks"] <= 2500 and state["progress"]["task_total"] == 2500

    ours, theirs = _download(world, manager, pid, r.json()["id"]), _download(world, manager, pid, inline.json()["id"])
    assert len(ours) == 2500 and [t["id"] for t in ours] == [t["id"] for t in theirs]
    assert [t["annotations"] for t in ours] == [t["annotations"] for t in theirs]


def test_a_job_snapshot_keeps_its_filters(world: World, manager: Person) -> None:
    pid = _project(world, manager, 30)
    body = {"task_filter_options": {"only_with_annotations": True}}
    r = world.client.post(f"/api/projects/{pid}/exports?async=true", json=body, headers=manager.headers)
    assert r.status_code == 201, r.text
    assert _wait(world, manager, pid, r.json()["id"])["final"]["counters"] == {"task_number": 10}
    assert len(_download(world, manager, pid, r.json()["id"])) == 10


def _written(world: World, pid: int, fmt: str, path: Path) -> tuple[exports.ExportFile, list[int]]:
    """`write_export` of the project in `fmt`, and the progress it reported."""
    heard: list[int] = []
    with world.db.reader() as session:
        project = session.get(Project, pid)
        assert project is not None
        return exports.write_export(session, project, fmt, path, progress=heard.append), heard


def test_write_export_reports_its_progress(world: World, manager: Person, tmp_path) -> None:
    pid = _project(world, manager, 2500)
    result, heard = _written(world, pid, "JSONL", tmp_path / "out.jsonl")
    assert result.task_count == 2500
    assert heard == [1000, 2000, 2500]


def test_a_parquet_export_reports_its_progress(world: World, manager: Person, tmp_path) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415 - only this test reads Parquet

    pid = _project(world, manager, 2500)
    result, heard = _written(world, pid, "PARQUET", tmp_path / "out.parquet")
    assert result.task_count == 2500 and pq.read_table(tmp_path / "out.parquet").num_rows == 2500
    assert heard and heard[-1] == 2500 and heard == sorted(heard)

    r = world.client.post(
        f"/api/projects/{pid}/exports?async=true", json={"export_type": "PARQUET"}, headers=manager.headers
    )
    assert r.status_code == 201, r.text
    done = _wait(world, manager, pid, r.json()["id"])
    assert done["final"]["status"] == "completed", done["final"]
    assert [(f["export_type"], f["status"]) for f in done["final"]["converted_formats"]] == [("PARQUET", "completed")]


def test_a_job_writes_the_format_asked_for_too(world: World, manager: Person) -> None:
    pid = _project(world, manager, 2500)
    body = {"export_type": "csv", "task_filter_options": {"only_with_annotations": True}}
    r = world.client.post(f"/api/projects/{pid}/exports?async=true", json=body, headers=manager.headers)
    assert r.status_code == 201, r.text
    done = _wait(world, manager, pid, r.json()["id"])
    assert done["final"]["status"] == "completed", done["final"]
    assert [(f["export_type"], f["status"]) for f in done["final"]["converted_formats"]] == [("CSV", "completed")]
    for state in done["seen"][:-1]:
        # Only the labeled tasks (every third: 834 of 2,500) are written, and counted in the total.
        assert state["progress"]["format"] in ("JSON", "CSV") and state["progress"]["task_total"] == 834
    url = f"/api/projects/{pid}/exports/{r.json()['id']}/download?exportType=CSV"
    ours = world.client.get(url, headers=manager.headers)
    sync = world.client.get(f"/api/projects/{pid}/export?exportType=CSV", headers=manager.headers)
    assert ours.status_code == sync.status_code == 200, ours.text
    assert ours.content == sync.content and ours.content.count(b"\n") == 1 + 834  # header and the labeled tasks


def test_the_sync_json_formats_stream_what_a_snapshot_holds(world: World, manager: Person) -> None:
    pid = _project(world, manager, 40)
    for fmt, extension in (("JSON", "json"), ("JSONL", "jsonl")):
        body = {"export_type": fmt, "task_filter_options": {"only_with_annotations": True}}
        r = world.client.post(f"/api/projects/{pid}/exports", json=body, headers=manager.headers)
        assert r.status_code == 201 and r.json()["status"] == "completed", r.text
        ours = world.client.get(
            f"/api/projects/{pid}/exports/{r.json()['id']}/download?exportType={fmt}", headers=manager.headers
        )
        sync = world.client.get(f"/api/projects/{pid}/export?exportType={fmt}", headers=manager.headers)
        assert ours.status_code == sync.status_code == 200, sync.text
        assert sync.content == ours.content and sync.content.count(b'"id":') >= 14  # tasks and annotations
        assert sync.headers["content-disposition"] == f'attachment; filename="project-{pid}-{fmt}.{extension}"'
        assert "content-length" not in sync.headers  # sent as it is made


def test_a_small_snapshot_made_inline_has_the_format_asked_for_ready(world: World, manager: Person) -> None:
    pid = _project(world, manager, 4)
    r = world.client.post(f"/api/projects/{pid}/exports", json={"export_type": "JSONL"}, headers=manager.headers)
    assert r.status_code == 201 and r.json()["status"] == "completed", r.text
    assert [(f["export_type"], f["status"]) for f in r.json()["converted_formats"]] == [("JSONL", "completed")]


def test_an_unknown_format_is_refused_before_anything_is_written(world: World, manager: Person) -> None:
    pid = _project(world, manager, 4)
    r = world.client.post(
        f"/api/projects/{pid}/exports?async=true", json={"export_type": "XLS"}, headers=manager.headers
    )
    assert r.status_code == 400 and "XLS" in r.text, r.text
    assert world.client.get(f"/api/projects/{pid}/exports", headers=manager.headers).json() == []


def test_the_job_threshold_is_a_setting(client_with: Any, world: World, manager: Person) -> None:
    client = client_with(export_job_tasks=20)
    pid = _project(world, manager, 30)
    r = client.post(f"/api/projects/{pid}/exports", json={}, headers=manager.headers)
    assert r.status_code == 201 and r.json()["status"] == "created", r.text
    assert _wait(world, manager, pid, r.json()["id"], client=client)["final"]["counters"] == {"task_number": 30}
    few = {"task_filter_options": {"view_ids": [t["id"] for t in _download(world, manager, pid, r.json()["id"])][:5]}}
    r = client.post(f"/api/projects/{pid}/exports", json=few, headers=manager.headers)
    assert r.status_code == 201 and r.json()["status"] == "completed", r.text  # 5 tasks asked: made inline


def test_a_failed_snapshot_shows_its_error(world: World, manager: Person) -> None:
    pid = _project(world, manager, 3)
    export_id = world.client.post(f"/api/projects/{pid}/exports", json={}, headers=manager.headers).json()["id"]
    with world.db.writer() as session:  # as the job runner leaves a snapshot whose job failed
        record = session.get(Export, export_id)
        assert record is not None
        record.status, record.error = "failed", "the disk is full"
        session.commit()
    r = world.client.get(f"/api/projects/{pid}/exports/{export_id}", headers=manager.headers)
    assert r.json()["status"] == "failed" and r.json()["error"] == "the disk is full"


def test_a_job_whose_snapshot_is_deleted_stops_and_leaves_no_file(world: World, manager: Person) -> None:
    pid = _project(world, manager, 2500)
    made = world.client.post(f"/api/projects/{pid}/exports", json={}, headers=manager.headers).json()
    heard: list[dict[str, Any]] = []

    def progress(**values: Any) -> None:  # the export is cancelled once 1,000 tasks are written
        heard.append(values)
        if values.get("tasks") == 1000:
            r = world.client.delete(f"/api/projects/{pid}/exports/{made['id']}", headers=manager.headers)
            assert r.status_code == 204, r.text

    payload = {"export_id": made["id"], "project_id": pid, "task_total": 2500, "formats": ["CSV"]}
    result = export_jobs.ExportJob(world.settings.data_dir).run(world.db, 0, payload, progress)
    assert result == {"export_id": made["id"], "skipped": "deleted"}
    assert max(v.get("tasks", 0) for v in heard) == 1000  # stopped at the first report after the deletion
    assert list((world.settings.data_dir / "exports" / str(pid)).iterdir()) == []
