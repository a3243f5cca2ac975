"""Security headers on every response: pages, API answers, errors, static files."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tessera.server import create_app
from tessera.settings import load_settings
from tests.web.conftest import Person, World


def script_src(response: httpx.Response) -> str:
    csp = response.headers.get("content-security-policy")
    assert csp, f"no Content-Security-Policy on {response.request.url}"
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    return directives["script-src"]


def assert_secure(response: httpx.Response, *, docs: bool = False) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", response.request.url
    assert response.headers.get("x-frame-options") == "DENY", response.request.url
    scripts = script_src(response)
    if not docs:
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, scripts


PAGES = [
    ("GET", "/", 303),
    ("GET", "/user/login", 200),
    ("POST", "/user/login", 400),
    ("GET", "/user/setup/nope", 404),
    ("GET", "/user/invite/nope", 404),
    ("POST", "/user/logout", 303),
    ("GET", "/static/tessera.css", 200),
    ("GET", "/health", 200),
    ("GET", "/api/version", 200),
    ("GET", "/api/projects", 401),
    ("GET", "/api/projects/", 401),
    ("POST", "/api/projects", 401),
    ("GET", "/api/no-such-thing", 404),
    ("GET", "/openapi.json", 200),
]


@pytest.mark.parametrize(("method", "path", "status"), PAGES)
def test_headers_without_credentials(world: World, method: str, path: str, status: int) -> None:
    r = world.client.request(method, path, follow_redirects=False)
    assert r.status_code == status, r.text
    assert_secure(r)


def test_headers_on_authenticated_api_answers(world: World, manager: Person) -> None:
    pid = world.project(manager)
    h = manager.headers
    answers = [
        (world.client.get(f"/api/projects/{pid}", headers=h), 200),
        (world.client.get(f"/api/projects/{pid}/export?exportType=JSON", headers=h), 200),
        (world.client.post("/api/projects", json={"title": "x", "label_config": "<View"}, headers=h), 400),
        (world.client.delete(f"/api/projects/{pid}", headers=h), 204),
        (world.client.get(f"/api/projects/{pid}", headers=h), 404),
    ]
    for r, status in answers:
        assert r.status_code == status, r.text
        assert_secure(r)


def test_api_docs_alone_may_run_inline_scripts(world: World) -> None:
    r = world.client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert_secure(r, docs=True)


def test_payload_too_large_answer_has_security_headers(world: World, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url=world.db.url, env={}, max_body_bytes=100)
    with TestClient(create_app(settings, database=world.db)) as client:
        r = client.post("/api/projects", content=b"x" * 1000, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert_secure(r)


def test_internal_error_answer_has_security_headers(world: World, manager: Person) -> None:
    with world.db.writer() as s:  # a real fault in the database: the table the query needs is gone
        s.connection().exec_driver_sql("ALTER TABLE projects RENAME TO projects_gone")
        s.commit()
    r = world.client.get("/api/projects", headers=manager.headers)
    assert r.status_code == 500
    assert_secure(r)
