"""`POST /api/projects/{id}/import` with a `url` form field: the file is fetched from a real local server
through the guarded client. Refused addresses, error statuses and oversized bodies answer 400 naming the URL,
and import nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import LOOPBACK, Person, World
from tests.api.local_http import LocalServer, Reply, WriteMeanwhile, closed_port, local_server

JSONL = b'{"text": "Alice met Bob"}\n{"data": {"text": "Carol"}, "meta": {"from": "jsonl"}}\n'
CSV = b"text,source\nfirst row,csv\nsecond row,csv\nthird row,csv\n"


@pytest.fixture
def files() -> Iterator[LocalServer]:
    routes = {
        "/data/tasks.jsonl": Reply(200, JSONL, {"Content-Type": "application/octet-stream"}),
        "/data/tasks.csv": Reply(200, CSV, {"Content-Type": "text/csv"}),
        "/export": Reply(200, CSV, {"Content-Type": "text/csv; charset=utf-8"}),
        "/mystery": Reply(200, CSV, {"Content-Type": "application/octet-stream"}),
        "/big.jsonl": Reply(200, JSONL * 100),
        "/big-unsized.jsonl": Reply(200, JSONL * 100, sized=False),
        "/bad.csv": Reply(200, b"title\nno text column\n", {"Content-Type": "text/csv"}),
    }
    with local_server(routes) as server:
        yield server


def import_url(client: TestClient, person: Person, project_id: int, url: str) -> dict:
    response = client.post(f"/api/projects/{project_id}/import", data={"url": url}, headers=person.headers)
    return {"status": response.status_code, **response.json()}


def task_texts(world: World, person: Person, project_id: int) -> list[str]:
    r = world.client.get(f"/api/tasks?project={project_id}&page_size=100", headers=person.headers)
    assert r.status_code == 200, r.text
    return [t["data"]["text"] for t in r.json()["tasks"]]


def test_jsonl_from_url(world: World, manager: Person, opened: TestClient, files: LocalServer) -> None:
    pid = world.project(manager)
    answer = import_url(opened, manager, pid, files.url("/data/tasks.jsonl"))
    assert answer["status"] == 201, answer
    assert answer["task_count"] == 2
    assert answer["found_formats"] == {"jsonl": 1}
    assert len(answer["task_ids"]) == 2 and len(answer["file_upload_ids"]) == 1
    assert task_texts(world, manager, pid) == ["Alice met Bob", "Carol"]
    assert [(h.method, h.path) for h in files.hits] == [("GET", "/data/tasks.jsonl")]


def test_csv_from_url_in_a_multipart_form(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    boundary = "tessera-test-boundary"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="url"\r\n\r\n'
        f"{files.url('/data/tasks.csv')}\r\n--{boundary}--\r\n"
    )
    r = opened.post(
        f"/api/projects/{pid}/import",
        content=form.encode(),
        headers={**manager.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["task_count"], r.json()["found_formats"]) == (3, {"csv": 1})
    assert sorted(r.json()["data_columns"]) == ["source", "text"]
    assert task_texts(world, manager, pid) == ["first row", "second row", "third row"]


def test_the_download_holds_no_write_lock(world: World, manager: Person, opened: TestClient, files: LocalServer):
    pid = world.project(manager)
    meanwhile = WriteMeanwhile(lambda: world.person("meanwhile@example.com"))
    files.routes["/slow/tasks.jsonl"] = Reply(200, JSONL, before=meanwhile)
    answer = import_url(opened, manager, pid, files.url("/slow/tasks.jsonl"))
    assert answer["status"] == 201, answer
    assert meanwhile.finished == [True]


def test_the_content_type_names_the_format_when_the_path_does_not(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    answer = import_url(opened, manager, pid, files.url("/export?project=7"))
    assert answer["status"] == 201, answer
    assert (answer["task_count"], answer["found_formats"]) == (3, {"csv": 1})


def test_a_file_of_unknown_format_is_refused(world: World, manager: Person, opened: TestClient, files: LocalServer):
    pid = world.project(manager)
    answer = import_url(opened, manager, pid, files.url("/mystery"))
    assert answer["status"] == 400
    assert files.url("/mystery") in answer["detail"] and "application/octet-stream" in answer["detail"]
    assert task_texts(world, manager, pid) == []


def test_the_name_comes_from_the_url_after_redirects(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    files.routes["/latest"] = Reply.redirect("/data/tasks.jsonl")
    pid = world.project(manager)
    answer = import_url(opened, manager, pid, files.url("/latest"))
    assert answer["status"] == 201, answer
    assert answer["found_formats"] == {"jsonl": 1}


def test_loopback_is_refused_by_default(world: World, manager: Person, files: LocalServer) -> None:
    pid = world.project(manager)
    url = files.url("/data/tasks.jsonl")
    answer = import_url(world.client, manager, pid, url)  # the world's app has no allowlist
    assert answer["status"] == 400
    assert url in answer["detail"] and "127.0.0.1" in answer["detail"] and "non-public" in answer["detail"]
    assert answer["validation_errors"]["url"]
    assert files.hits == []
    assert task_texts(world, manager, pid) == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("http://169.254.169.254/latest/meta-data/", "non-public"),
        ("http://10.1.2.3/tasks.json", "non-public"),
        ("http://[::1]:8080/tasks.json", "non-public"),
        ("http://2130706433/tasks.json", "dotted-decimal"),
        ("http://user:secret@example.com/tasks.json", "credentials"),
        ("gopher://example.com/", "only http and https"),
        ("not a url", "only http and https"),
    ],
)
def test_refused_urls(world: World, manager: Person, opened: TestClient, url: str, reason: str) -> None:
    pid = world.project(manager)
    answer = import_url(opened, manager, pid, url)
    assert answer["status"] == 400, answer
    assert url in answer["detail"] and reason in answer["detail"].lower(), answer["detail"]
    assert task_texts(world, manager, pid) == []


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/tasks.json"])
def test_a_redirect_to_a_refused_address_is_refused(
    world: World, manager: Person, opened: TestClient, files: LocalServer, target: str
) -> None:
    files.routes["/moved.json"] = Reply.redirect(target)
    pid = world.project(manager)
    url = files.url("/moved.json")
    answer = import_url(opened, manager, pid, url)
    assert answer["status"] == 400
    assert url in answer["detail"] and "non-public" in answer["detail"]
    assert [h.path for h in files.hits] == ["/moved.json"]
    assert task_texts(world, manager, pid) == []


@pytest.mark.parametrize("path", ["/big.jsonl", "/big-unsized.jsonl"])
def test_a_body_over_the_limit_is_refused(
    world: World, manager: Person, client_with: Callable[..., TestClient], files: LocalServer, path: str
) -> None:
    small = client_with(outbound_allowlist=LOOPBACK, max_body_bytes=1000)
    pid = world.project(manager)
    answer = import_url(small, manager, pid, files.url(path))
    assert answer["status"] == 400
    assert files.url(path) in answer["detail"] and "larger than 1000 bytes" in answer["detail"]
    assert task_texts(world, manager, pid) == []


def test_a_404_is_reported(world: World, manager: Person, opened: TestClient, files: LocalServer) -> None:
    pid = world.project(manager)
    url = files.url("/data/gone.json")
    answer = import_url(opened, manager, pid, url)
    assert answer["status"] == 400
    assert answer["detail"] == f"cannot import from {url}: the server answered 404 Not Found"
    assert task_texts(world, manager, pid) == []


def test_an_unreachable_server_is_reported(world: World, manager: Person, opened: TestClient) -> None:
    pid = world.project(manager)
    url = f"http://127.0.0.1:{closed_port()}/tasks.json"
    answer = import_url(opened, manager, pid, url)
    assert answer["status"] == 400
    assert url in answer["detail"] and "could not connect" in answer["detail"]


def test_bad_rows_in_the_fetched_file_are_named(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    answer = import_url(opened, manager, pid, files.url("/bad.csv"))
    assert answer["status"] == 400
    assert "bad.csv, line 2" in answer["detail"] and "'text'" in answer["detail"]
    assert task_texts(world, manager, pid) == []


def test_an_outsider_makes_the_server_fetch_nothing(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    outsider = world.person("outsider@example.com")
    answer = import_url(opened, outsider, pid, files.url("/data/tasks.jsonl"))
    assert answer["status"] == 404
    assert files.hits == []


def test_an_annotator_may_not_import_from_a_url(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    annotator = world.person("annotator@example.com")
    world.join(pid, annotator, "annotator")
    answer = import_url(opened, annotator, pid, files.url("/data/tasks.jsonl"))
    assert answer["status"] == 403
    assert files.hits == []


def test_tasks_pasted_as_json_in_the_url_field(world: World, manager: Person) -> None:
    pid = world.project(manager)
    pasted = json.dumps([{"text": "pasted one"}, {"text": "pasted two"}])
    answer = import_url(world.client, manager, pid, pasted)
    assert answer["status"] == 201, answer
    assert task_texts(world, manager, pid) == ["pasted one", "pasted two"]


def test_a_json_body_is_tasks_even_with_a_url_field(
    world: World, manager: Person, opened: TestClient, files: LocalServer
) -> None:
    pid = world.project(manager)
    body = [{"text": "a task", "url": files.url("/data/tasks.jsonl")}]
    r = opened.post(f"/api/projects/{pid}/import", json=body, headers=manager.headers)
    assert r.status_code == 201 and r.json()["task_count"] == 1
    assert files.hits == []


def test_a_form_without_url_or_file(world: World, manager: Person) -> None:
    pid = world.project(manager)
    r = world.client.post(f"/api/projects/{pid}/import", data={"other": "x"}, headers=manager.headers)
    assert r.status_code == 400
    assert "no file and no url" in r.json()["detail"]
