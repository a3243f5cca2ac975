"""`tessera start` as a real server process on a free port."""

from __future__ import annotations

import re

import httpx

from tests.cli.conftest import Cli


def test_start_on_an_empty_database(cli: Cli) -> None:
    with cli.start() as server:
        link = re.search(r"(http://\S+/user/setup/\w+)", server.output)
        assert link, server.output
        assert link.group(1).startswith(server.url)
        page = httpx.get(link.group(1))
        assert page.status_code == 200 and "first administrator" in page.text

        health = httpx.get(f"{server.url}/health")
        assert health.status_code == 200 and health.json() == {"status": "UP"}
        version = httpx.get(f"{server.url}/api/version").json()
        assert version["edition"] == "Community"

        for path in ("/api/projects", "/api/projects/"):
            r = httpx.get(f"{server.url}{path}", follow_redirects=False)
            assert r.status_code == 401, (path, r.status_code, r.headers)
            r = httpx.post(f"{server.url}{path}", json={}, follow_redirects=False)
            assert r.status_code == 401, (path, r.status_code, r.headers)

        schema = httpx.get(f"{server.url}/openapi.json")
        assert schema.status_code == 200 and schema.headers["content-type"].startswith("application/json")
        assert "/api/projects" in schema.json()["paths"]
        docs = httpx.get(f"{server.url}/api/docs")
        assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
        assert "<html" in docs.text.lower()


def test_start_with_an_existing_database_keeps_its_data(cli: Cli) -> None:
    cli.ok("user", "create", "--email", "root@example.com", "--password", "a long passphrase", "--admin")
    with cli.start() as server:
        assert "/user/setup/" not in server.output
        login = httpx.get(f"{server.url}/user/login")
        assert login.status_code == 200 and "tessera_form" in login.headers["set-cookie"]


def test_start_with_several_workers(cli: Cli) -> None:
    with cli.start("--workers", "2") as server:
        assert httpx.get(f"{server.url}/health").json() == {"status": "UP"}
