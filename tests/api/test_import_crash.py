"""Crash safety of import jobs, for real: a `tessera start` process is killed with SIGKILL in the middle of a
200,000-row import, uploaded or fetched from a URL. The database must then hold none of its rows (the import is
one transaction), and after a restart the import shows `failed`, its spooled upload is gone, and a new import
works."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.api.local_http import Reply, local_server
from tests.sdk.conftest import (
    PG_ENV,
    _child_env,
    _free_port,
    _psycopg_url,
    _tessera_command,
    _wait_for_health,
    _with_database,
)

ROWS = 200_000
CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir, self.env = data_dir, env
        self.command = _tessera_command()
        self.proc: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [*self.command, *args, "--data-dir", str(self.data_dir)], env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        log_path = self.data_dir / "server.log"
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.command, "start", "--data-dir", str(self.data_dir), "--port", str(port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for_health(self.base_url, self.proc, log_path)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = _child_env()
    admin_url = os.environ.get(PG_ENV)
    db_name = None
    if admin_url:
        import psycopg

        admin_url = _psycopg_url(admin_url)
        db_name = f"tessera_crash_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["TESSERA_DATABASE_URL"] = _with_database(admin_url, db_name)
    env["TESSERA_OUTBOUND_ALLOWLIST"] = "127.0.0.1"  # the URL import fetches from the test's own server
    s = Server(tmp_path / "data", env)
    try:
        yield s
    finally:
        s.stop()
        if db_name is not None:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:  # type: ignore[arg-type]
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def count_tasks(server: Server) -> int:
    url = server.env.get("TESSERA_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(_psycopg_url(url)) as conn:
            return conn.execute("SELECT count(*) FROM tasks").fetchone()[0]  # type: ignore[index]
    with sqlite3.connect(server.data_dir / "tessera.db") as conn:
        return conn.execute("SELECT count(*) FROM tasks").fetchone()[0]


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as opened:
        yield opened


@pytest.mark.parametrize("source", ["upload", "url"])
def test_sigkill_during_an_import_leaves_no_rows_and_the_import_failed(
    server: Server, tmp_path: Path, source: str, stack: ExitStack
) -> None:
    server.cli("user", "create", "--email", "admin@example.com", "--password", "crash-test-pass-1", "--admin")
    token = server.cli("token", "create", "--email", "admin@example.com").strip().splitlines()[-1].strip()
    headers = {"Authorization": f"Token {token}"}
    tasks = tmp_path / "tasks.jsonl"
    with open(tasks, "w", encoding="utf-8") as out:
        for i in range(ROWS):
            out.write(json.dumps({"text": f"task number {i}, some words to make it longer"}) + "\n")
    server.start()
    files = stack.enter_context(local_server({"/tasks.jsonl": Reply(200, tasks.read_bytes())}))
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        pid = http.post("/api/projects", json={"title": "crash", "label_config": CONFIG}).json()["id"]
        with open(tasks, "rb") as handle:
            if source == "upload":
                r = http.post(f"/api/projects/{pid}/import?async=true", files={"file": ("tasks.jsonl", handle)})
            else:
                r = http.post(f"/api/projects/{pid}/import?async=true", data={"url": files.url("/tasks.jsonl")})
        assert r.status_code == 201, r.text
        import_id = r.json()["import"]
        deadline = time.monotonic() + 60
        seen = None
        while time.monotonic() < deadline:  # wait until the job is well into the rows, then kill the server
            seen = http.get(f"/api/projects/{pid}/imports/{import_id}").json()
            if seen["status"] == "in_progress" and (seen["progress"] or {}).get("rows", 0) >= 10_000:
                break
            assert seen["status"] not in ("completed", "failed"), seen
            time.sleep(0.02)
        else:
            raise AssertionError(f"the import never got going: {seen}")
    progress = seen["progress"]
    assert 10_000 <= progress["rows"] < ROWS and 0 < progress["bytes_read"] < progress["bytes_total"], progress
    server.kill()

    assert count_tasks(server) == 0  # none of the rows written before the kill is visible

    server.start()
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        state = http.get(f"/api/projects/{pid}/imports/{import_id}").json()
        assert state["status"] == "failed" and "server stopped" in state["error"], state
        assert state["task_count"] == 0
        assert [p for p in (server.data_dir / "uploads").rglob("*") if p.is_file()] == []
        r = http.post(f"/api/projects/{pid}/import", json=[{"text": "after the crash"}])
        assert r.status_code == 201 and r.json()["task_count"] == 1, r.text
    assert count_tasks(server) == 1
