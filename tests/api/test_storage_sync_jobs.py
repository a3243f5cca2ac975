"""`POST /api/storages/{type}/{id}/sync` as a job: `?async=true` answers `queued` with the job's id, polling
the storage shows progress and then `completed`; a second sync while one is queued or running starts
nothing; a queued sync outlives its process, a running one whose process died fails its storage; a removed
folder fails the sync visibly and imports nothing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tessera.db.tables import Job, SourceStorage, Task
from tessera.services.jobs import JobRunner, worker_id
from tests.api.conftest import Person, World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
IMAGE_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <Choices name="kind" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices>
</View>"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    top = tmp_path / "files"
    (top / "images").mkdir(parents=True)
    for name in ("a.png", "b.png", "c.png"):
        (top / "images" / name).write_bytes(PNG)
    return top


@pytest.fixture
def api(client_with: Callable[..., TestClient], root: Path) -> TestClient:
    return client_with(local_files_root=root)


def storage_of(api: TestClient, admin: Person, project: int) -> int:
    body = {"project": project, "path": "images", "use_blob_urls": True}
    r = api.post("/api/storages/localfiles", json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def sync(api: TestClient, person: Person, sid: int, query: str = "") -> Any:
    return api.post(f"/api/storages/localfiles/{sid}/sync{query}", headers=person.headers)


def polled(api: TestClient, person: Person, sid: int, timeout: float = 30.0) -> dict[str, Any]:
    """The storage once its sync has ended."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/api/storages/localfiles/{sid}", headers=person.headers)
        assert r.status_code == 200, r.text
        if r.json()["status"] not in ("queued", "in_progress") or time.monotonic() > deadline:
            return dict(r.json())
        time.sleep(0.05)


def count(world: World, model: Any) -> int:
    with world.db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_an_async_sync_is_queued_and_polled_to_completion(
    world: World, api: TestClient, admin: Person, manager: Person
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    r = sync(api, manager, sid, "?async=true")
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["status"] in ("queued", "in_progress", "completed")
    assert started["last_sync_job"] and started["last_sync_job"].isdigit()
    done = polled(api, manager, sid)
    assert done["status"] == "completed" and done["last_sync_count"] == 3 and done["traceback"] is None
    assert done["last_sync_job"] == started["last_sync_job"] and done["last_sync"]
    meta = done["meta"]
    assert meta["attempts"] == 1 and meta["objects_listed"] == 3 and meta["tasks_existed"] == 0
    assert {"time_queued", "time_in_progress", "time_completed", "duration"} <= set(meta)
    assert count(world, Task) == 3


def test_a_second_sync_while_one_is_queued_starts_nothing_and_the_job_outlives_its_process(
    world: World, api: TestClient, admin: Person, manager: Person
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    api.app.state.jobs.stop()  # nothing runs the job here: it stays queued
    with ThreadPoolExecutor(4) as pool:  # at once: the storage's row lock lets one request queue a job
        answers = list(pool.map(lambda _: sync(api, manager, sid, "?async=true"), range(4)))
    assert {r.status_code for r in answers} == {200}
    assert {r.json()["status"] for r in answers} == {"queued"}
    assert len({r.json()["last_sync_job"] for r in answers}) == 1
    assert answers[0].json()["last_sync_count"] is None and answers[0].json()["last_sync"] is None
    assert count(world, Job) == 1

    # Another process (a restarted server) runs the queued job.
    runner = JobRunner(world.db, world.settings.data_dir, api.app.state.jobs.handlers)
    assert runner.run_one()
    done = polled(api, manager, sid)
    assert done["status"] == "completed" and done["last_sync_count"] == 3
    assert count(world, Task) == 3


def test_a_running_sync_shows_its_progress_and_is_not_started_twice(
    world: World, api: TestClient, admin: Person, manager: Person
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    api.app.state.jobs.stop()
    job = sync(api, manager, sid, "?async=true").json()["last_sync_job"]
    # As a live runner of this process has it: running, with progress written.
    with world.db.writer() as s:
        s.execute(update(Job).values(status="running", worker_id=worker_id()))
        s.execute(update(SourceStorage).values(status="in_progress"))
        s.commit()
    progress = {"phase": "importing", "objects_listed": 3, "objects_new": 3, "tasks_imported": 2}
    api.app.state.jobs.progress.write(int(job), progress)
    seen = api.get(f"/api/storages/localfiles/{sid}", headers=manager.headers).json()
    assert seen["status"] == "in_progress" and seen["last_sync_count"] == 2
    assert {k: seen["meta"][k] for k in progress} == progress
    again = sync(api, manager, sid, "?async=true").json()
    assert again["last_sync_job"] == job and again["status"] == "in_progress"
    assert count(world, Job) == 1


def test_the_job_reports_objects_listed_then_tasks_imported(
    world: World, api: TestClient, admin: Person, manager: Person
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    api.app.state.jobs.stop()
    job_id = int(sync(api, manager, sid, "?async=true").json()["last_sync_job"])
    with world.db.reader() as s:
        job = s.get(Job, job_id)
        assert job is not None
        payload = dict(job.payload)
    heard: list[dict[str, Any]] = []
    handler = api.app.state.jobs.handlers["storage_sync"]
    result = handler.run(world.db, job_id, payload, lambda **values: heard.append(values))
    assert result == {"storage_id": sid, "objects_listed": 3, "task_count": 3}
    assert heard[0] == {"phase": "listing", "objects_listed": 0, "objects_new": 0, "tasks_imported": 0}
    assert {"phase": "importing", "objects_listed": 3, "objects_new": 3} in heard
    assert heard[-1] == {"phase": "completed", "tasks_imported": 3, "final": True}


def test_a_sync_whose_process_died_fails_and_the_next_one_runs(
    world: World, client_with: Callable[..., TestClient], api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    api.app.state.jobs.stop()
    job = sync(api, manager, sid, "?async=true").json()["last_sync_job"]
    with world.db.writer() as s:
        s.execute(update(Job).values(status="running", worker_id=f"{socket.gethostname()}:{_dead_pid()}"))
        s.execute(update(SourceStorage).values(status="in_progress"))
        s.commit()
    seen = api.get(f"/api/storages/localfiles/{sid}", headers=manager.headers).json()
    assert seen["status"] == "failed" and "server stopped" in seen["traceback"]
    assert seen["last_sync_job"] == job and "time_failure" in seen["meta"]
    assert count(world, Task) == 0

    restarted = client_with(local_files_root=root)
    r = sync(restarted, manager, sid)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed" and r.json()["last_sync_count"] == 3
    assert r.json()["meta"]["attempts"] == 2 and r.json()["last_sync_job"] != job


def test_a_removed_folder_fails_the_sync_with_its_reason(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    shutil.rmtree(root / "images")
    r = sync(api, manager, sid)  # ends within the wait: the sync's error, as when it ran in the request
    assert r.status_code == 400 and "'images' is gone" in r.json()["detail"], r.text
    seen = api.get(f"/api/storages/localfiles/{sid}", headers=manager.headers).json()
    assert seen["status"] == "failed" and "'images' is gone" in seen["traceback"]

    r = sync(api, manager, sid, "?async=true")  # the same, polled
    assert r.status_code == 200 and r.json()["status"] in ("queued", "in_progress", "failed")
    seen = polled(api, manager, sid)
    assert seen["status"] == "failed" and "'images' is gone" in seen["traceback"]
    assert seen["last_sync_count"] is None and count(world, Task) == 0


def test_bad_task_files_import_nothing_and_every_bad_row_is_named(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    (root / "tasks").mkdir()
    (root / "tasks" / "1.json").write_text('[{"image": "x.png"}]')
    (root / "tasks" / "2.jsonl").write_text('{"image": "y.png"}\n{"text": "a"}\n{"text": "b"}\n')
    pid = world.project(manager, IMAGE_CONFIG)
    body = {"project": pid, "path": "tasks", "use_blob_urls": False}
    sid = api.post("/api/storages/localfiles", json=body, headers=admin.headers).json()["id"]
    assert sync(api, manager, sid, "?async=true").status_code == 200
    seen = polled(api, manager, sid)
    assert seen["status"] == "failed" and "2 bad row(s)" in seen["traceback"]
    assert "2.jsonl, line 2" in seen["traceback"] and "2.jsonl, line 3" in seen["traceback"]
    assert "error" not in seen["meta"] and "error_fields" not in seen["meta"]
    assert count(world, Task) == 0
    with world.db.reader() as s:
        assert s.scalar(select(Job.error)) == seen["traceback"].split("\n")[0]

    r = sync(api, manager, sid)  # waited for: the import's own error, every bad row in validation_errors
    assert r.status_code == 400 and r.json()["detail"].startswith("2 bad row(s)"), r.text
    assert len(r.json()["validation_errors"]["tasks"]) == 2
    (root / "tasks" / "2.jsonl").write_text('{"image": "y.png"}\n')  # nothing was recorded as imported
    assert sync(api, manager, sid).json()["last_sync_count"] == 2
    assert count(world, Task) == 2


def test_only_managers_sync(world: World, api: TestClient, admin: Person, manager: Person) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = storage_of(api, admin, pid)
    reviewer = world.person("reviewer@example.com")
    world.join(pid, reviewer, "reviewer")
    assert sync(api, reviewer, sid, "?async=true").status_code == 403
    assert count(world, Job) == 0


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
