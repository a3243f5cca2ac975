"""URL imports run as jobs: the job fetches the file (through the guarded client) and imports it all or
nothing. `?async=true` answers at once with the import id; without it the request waits for the job and
answers as a synchronous import, unless the file shows bigger than the upload threshold. Progress, errors
and a dead job show through `GET /api/projects/{id}/imports/{import_id}`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tessera.db.tables import ImportRecord, Job
from tests.api.conftest import LOOPBACK, Person, World
from tests.api.local_http import LocalServer, Reply, local_server
from tests.api.test_import_jobs import _dead_pid, jsonl, task_count, wait_for


@pytest.fixture
def files() -> Iterator[LocalServer]:
    routes = {
        "/tasks.jsonl": Reply(200, jsonl(3000)),
        "/bad.jsonl": Reply(200, jsonl(2000, bad_at=1500)),
        "/bad.csv": Reply(200, b"title\nno text column\n", {"Content-Type": "text/csv"}),
    }
    with local_server(routes) as server:
        yield server


def post_url(client: TestClient, person: Person, pid: int, url: str, query: str = "") -> Any:
    return client.post(f"/api/projects/{pid}/import{query}", data={"url": url}, headers=person.headers)


def test_an_async_url_import_answers_at_once_and_the_job_fetches_and_imports(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    r = post_url(opened, manager, pid, files.url("/tasks.jsonl"), "?async=true")
    assert r.status_code == 201, r.text
    assert r.json()["task_count"] == 0 and r.json()["file_upload_ids"] == [r.json()["import"]]
    state = wait_for(opened, manager, pid, r.json()["import"])
    assert state["status"] == "completed", state
    assert (state["task_count"], state["filenames"], state["errors"]) == (3000, ["tasks.jsonl"], [])
    assert len(state["task_ids"]) == 3000 and task_count(world, pid) == 3000
    assert [h.path for h in files.hits] == ["/tasks.jsonl"]


def test_a_waited_url_import_answers_as_label_studio_does(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    r = post_url(opened, manager, pid, files.url("/tasks.jsonl"), "?dedupe=true")
    assert r.status_code == 201, r.text
    body = r.json()
    assert "import" not in body
    assert (body["task_count"], body["found_formats"], body["duplicates"]) == (3000, {"jsonl": 1}, 0)
    assert len(body["task_ids"]) == 3000 and body["data_columns"] == ["text"]
    again = post_url(opened, manager, pid, files.url("/tasks.jsonl"), "?dedupe=true&return_task_ids=false")
    assert (again.json()["task_count"], again.json()["duplicates"]) == (0, 3000), again.text  # dedupe applies
    assert "task_ids" not in again.json()
    with world.db.reader() as s:
        assert s.scalars(select(ImportRecord.status)).all() == ["completed", "completed"]


def test_a_url_bigger_than_the_threshold_answers_with_the_import_id(
    world: World, manager: Person, client_with: Callable[..., TestClient], files: LocalServer
) -> None:
    client = client_with(outbound_allowlist=LOOPBACK, import_job_bytes=10_000)
    release = threading.Event()
    body = jsonl(3000)
    files.routes["/big.jsonl"] = Reply(200, body, between=lambda: release.wait(30))  # announced, then held
    pid = world.project(manager)
    try:
        r = post_url(client, manager, pid, files.url("/big.jsonl"))
        assert r.status_code == 201 and isinstance(r.json().get("import"), int), r.text
        state = client.get(f"/api/projects/{pid}/imports/{r.json()['import']}", headers=manager.headers).json()
        assert state["status"] == "in_progress", state
        assert state["progress"] == {"phase": "downloading", "bytes_read": 0, "bytes_total": len(body), "rows": 0}
    finally:
        release.set()
    assert wait_for(client, manager, pid, r.json()["import"])["task_count"] == 3000
    small = post_url(client, manager, pid, files.url("/tasks-small.jsonl"))
    assert small.status_code == 400 and "404" in small.json()["detail"]  # a small failure is still answered


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/gone.json", "the server answered 404 Not Found"),
        ("/bad.jsonl", "bad.jsonl, line 1500"),
        ("/bad.csv", "bad.csv, line 2: data has no field 'text'"),
    ],
)
def test_a_failed_fetch_or_a_bad_row_fails_the_job_and_stores_nothing(
    world: World, manager: Person, opened: TestClient, files: LocalServer, path: str, message: str
) -> None:
    pid = world.project(manager)
    r = post_url(opened, manager, pid, files.url(path), "?async=true")
    assert r.status_code == 201, r.text
    state = wait_for(opened, manager, pid, r.json()["import"])
    assert state["status"] == "failed" and message in state["error"], state
    assert state["task_count"] == 0 and task_count(world, pid) == 0
    waited = post_url(opened, manager, pid, files.url(path))  # the same refusal when the request waits
    assert waited.status_code == 400 and message in waited.json()["detail"], waited.text
    assert task_count(world, pid) == 0


def test_a_refused_address_fails_the_job_with_the_reason(world: World, manager: Person, files: LocalServer) -> None:
    pid = world.project(manager)
    url = files.url("/tasks.jsonl")
    r = post_url(world.client, manager, pid, url, "?async=true")  # the world's app keeps loopback refused
    state = wait_for(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "failed" and url in state["error"] and "non-public" in state["error"], state
    assert files.hits == [] and task_count(world, pid) == 0
    with world.db.reader() as s:
        failure = s.scalar(select(Job.result))
    assert failure["error"] == "Blocked" and "non-public" in failure["error_fields"]["url"][0], failure


def test_a_url_job_whose_process_died_shows_failed(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    opened.app.state.jobs.stop()  # nobody runs the job: it stays queued, then we make it look abandoned
    r = post_url(opened, manager, pid, files.url("/tasks.jsonl"), "?async=true")
    import_id = r.json()["import"]
    with world.db.writer() as s:
        s.execute(update(Job).values(status="running", worker_id=f"{socket.gethostname()}:{_dead_pid()}"))
        s.commit()
    state = opened.get(f"/api/projects/{pid}/imports/{import_id}", headers=manager.headers).json()
    assert state["status"] == "failed" and "server stopped" in state["error"], state
    assert task_count(world, pid) == 0 and files.hits == []
