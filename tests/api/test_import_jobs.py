"""Imports run as jobs: `?async=true` and uploads above the threshold answer with an import id at once; the job
imports all or nothing and `GET /api/projects/{id}/imports/{import_id}` shows its state, counts and errors."""

from __future__ import annotations

import gzip
import io
import json
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tessera.db.tables import Job, Task
from tests.api.conftest import Person, World

DONE = ("completed", "failed")


def jsonl(n: int, bad_at: int | None = None) -> bytes:
    rows = [json.dumps({"text": f"row {i}"}) if i != bad_at else '{"text": "broken' for i in range(1, n + 1)]
    return ("\n".join(rows) + "\n").encode()


def wait_for(client: TestClient, person: Person, pid: int, import_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(f"/api/projects/{pid}/imports/{import_id}", headers=person.headers)
        assert r.status_code == 200, r.text
        if r.json()["status"] in DONE:
            return r.json()
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} did not finish: {r.json()}")


def task_count(world: World, pid: int) -> int:
    with world.db.reader() as s:
        return s.scalar(select(func.count()).select_from(Task).where(Task.project_id == pid)) or 0


def uploads_left(world: World) -> list[Path]:
    folder = world.settings.data_dir / "uploads"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def post_file(client: TestClient, person: Person, pid: int, name: str, content: bytes, query: str = "") -> Any:
    return client.post(f"/api/projects/{pid}/import{query}", files={"file": (name, content)}, headers=person.headers)


def test_an_async_upload_answers_at_once_and_the_job_imports_it(world: World, manager: Person) -> None:
    pid = world.project(manager)
    r = post_file(world.client, manager, pid, "tasks.jsonl", jsonl(5000), "?async=true")
    assert r.status_code == 201, r.text
    assert r.json()["task_count"] == 0 and isinstance(r.json()["import"], int)
    state = wait_for(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "completed", state
    assert (state["task_count"], state["error"], state["errors"]) == (5000, None, [])
    assert len(state["task_ids"]) == 5000 and state["filenames"] == ["tasks.jsonl"]
    assert task_count(world, pid) == 5000
    # The job's own row is finished in a transaction after the import record's: give it a moment.
    deadline = time.monotonic() + 30
    while True:
        with world.db.reader() as s:
            statuses = s.scalars(select(Job.status)).all()
        if statuses != ["running"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert statuses == ["completed"]
    assert uploads_left(world) == []  # the spooled copy is gone


def test_an_upload_above_the_threshold_runs_as_a_job(client_with: Any, world: World, manager: Person) -> None:
    client = client_with(import_job_bytes=1000)
    pid = world.project(manager)
    gz = gzip.compress(jsonl(3000))
    assert len(gz) > 1000
    r = post_file(client, manager, pid, "tasks.jsonl.gz", gz)
    assert r.status_code == 201 and "import" in r.json(), r.text
    assert wait_for(client, manager, pid, r.json()["import"])["task_count"] == 3000
    small = post_file(client, manager, pid, "small.json", b'[{"text": "a"}]')
    assert "import" not in small.json() and small.json()["task_count"] == 1  # small ones stay synchronous


def test_a_bad_line_halfway_fails_the_job_and_imports_nothing(world: World, manager: Person) -> None:
    pid = world.project(manager)
    rows = [json.dumps({"text": f"r{i}"} if i % 1000 else {"other": 1}) for i in range(1, 10001)]
    r = post_file(world.client, manager, pid, "t.jsonl", "\n".join(rows).encode(), "?async=true")
    state = wait_for(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "failed" and state["task_count"] == 0
    assert "10 bad row(s)" in state["error"]
    assert len(state["errors"]) == 10 and state["errors"][0].startswith("t.jsonl, line 1000:")
    assert "'text'" in state["errors"][0]
    assert task_count(world, pid) == 0 and uploads_left(world) == []


def test_a_truncated_file_fails_with_its_line(world: World, manager: Person) -> None:
    pid = world.project(manager)
    r = post_file(world.client, manager, pid, "t.jsonl", jsonl(2000, bad_at=1000), "?async=true")
    state = wait_for(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "failed" and "line 1000" in state["error"], state
    assert task_count(world, pid) == 0


def test_an_upload_over_the_limit_is_refused_while_it_streams(client_with: Any, world: World, manager: Person) -> None:
    client = client_with(max_body_bytes=100_000)
    pid = world.project(manager)
    sent = 0

    def body() -> Iterator[bytes]:  # chunked: no Content-Length for the middleware to refuse up front
        nonlocal sent
        for _ in range(1000):
            sent += 10_000
            yield b'{"text": "' + b"x" * 9985 + b'"}\n'

    r = client.post(f"/api/projects/{pid}/import?async=true", content=body(), headers=manager.headers)
    assert r.status_code == 413, r.text
    assert "limit of 100000 bytes" in r.json()["detail"]
    assert task_count(world, pid) == 0 and uploads_left(world) == []


def test_a_json_body_can_run_as_a_job(world: World, manager: Person) -> None:
    pid = world.project(manager)
    tasks = [{"data": {"text": f"t{i}"}} for i in range(100)]
    r = world.client.post(f"/api/projects/{pid}/import?async=true", json=tasks, headers=manager.headers)
    assert wait_for(world.client, manager, pid, r.json()["import"])["task_count"] == 100


def zip_of(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_of_files_imports_every_entry(world: World, manager: Person) -> None:
    pid = world.project(manager)
    archive = zip_of({"a.jsonl": jsonl(3), "sub/b.csv": b"text\nx\ny\n", "__MACOSX/._a.jsonl": b"junk"})
    r = post_file(world.client, manager, pid, "batch.zip", archive)
    assert r.status_code == 201 and r.json()["task_count"] == 5, r.text


@pytest.mark.parametrize("name", ["../evil.jsonl", "/etc/evil.jsonl", "a/../../evil.jsonl", "c:/evil.jsonl"])
def test_zip_entries_that_escape_are_refused(world: World, manager: Person, name: str) -> None:
    pid = world.project(manager)
    r = post_file(world.client, manager, pid, "batch.zip", zip_of({"ok.jsonl": jsonl(2), name: jsonl(2)}))
    assert r.status_code == 400 and "leaves the archive's folder" in r.json()["detail"], r.text
    assert task_count(world, pid) == 0


def test_a_zip_bomb_is_refused_before_inflating(world: World, manager: Person) -> None:
    pid = world.project(manager)
    bomb = zip_of({"bomb.jsonl": b"\n" * (200 << 20)})
    assert len(bomb) < 1 << 20
    r = post_file(world.client, manager, pid, "bomb.zip", bomb)
    assert r.status_code == 400 and "zip bomb" in r.json()["detail"], r.text
    assert task_count(world, pid) == 0


def test_dedupe_skips_tasks_already_there(world: World, manager: Person) -> None:
    pid = world.project(manager)
    world.client.post(f"/api/projects/{pid}/import", json=[{"text": "a"}, {"text": "b"}], headers=manager.headers)
    again = [{"text": "b"}, {"data": {"text": "c"}}, {"text": "c"}, {"text": "a", "extra": 1}]
    r = world.client.post(f"/api/projects/{pid}/import?dedupe=true", json=again, headers=manager.headers)
    assert (r.json()["task_count"], r.json()["duplicates"]) == (2, 2), r.text
    assert task_count(world, pid) == 4
    plain = world.client.post(f"/api/projects/{pid}/import", json=[{"text": "a"}], headers=manager.headers)
    assert plain.json()["task_count"] == 1  # without the flag nothing is skipped


def server_root(tmp_path: Path) -> Path:
    root = tmp_path / "import-root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "tasks.jsonl.gz").write_bytes(gzip.compress(jsonl(1500)))
    (tmp_path / "secret.jsonl").write_bytes(jsonl(1))
    (root / "link.jsonl").symlink_to(tmp_path / "secret.jsonl")
    return root


def test_an_admin_imports_a_file_under_the_import_root(
    client_with: Any, world: World, admin: Person, tmp_path: Path
) -> None:
    client = client_with(import_root=server_root(tmp_path))
    pid = world.project(admin)
    r = client.post(f"/api/projects/{pid}/import", data={"path": "sub/tasks.jsonl.gz"}, headers=admin.headers)
    assert r.status_code == 201, r.text
    assert wait_for(client, admin, pid, r.json()["import"])["task_count"] == 1500
    assert (tmp_path / "import-root" / "sub" / "tasks.jsonl.gz").exists()  # the server's file is never removed


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../secret.jsonl", "without '..'"),
        ("sub/../../secret.jsonl", "without '..'"),
        ("/etc/passwd", "without '..'"),
        ("link.jsonl", "leads outside the import root"),
        ("sub/missing.jsonl", "no file"),
    ],
)
def test_server_paths_stay_inside_the_root(
    client_with: Any, world: World, admin: Person, tmp_path: Path, path: str, message: str
) -> None:
    client = client_with(import_root=server_root(tmp_path))
    pid = world.project(admin)
    r = client.post(f"/api/projects/{pid}/import", data={"path": path}, headers=admin.headers)
    assert r.status_code == 400 and message in r.json()["detail"], r.text
    assert task_count(world, pid) == 0


def test_server_paths_are_for_admins_and_off_without_a_root(
    client_with: Any, world: World, admin: Person, manager: Person, tmp_path: Path
) -> None:
    client = client_with(import_root=server_root(tmp_path))
    pid = world.project(manager)
    r = client.post(f"/api/projects/{pid}/import", data={"path": "sub/tasks.jsonl.gz"}, headers=manager.headers)
    assert r.status_code == 403, r.text
    world.join(pid, admin, "manager")
    r = world.client.post(f"/api/projects/{pid}/import", data={"path": "sub/tasks.jsonl.gz"}, headers=admin.headers)
    assert r.status_code == 400 and "TESSERA_IMPORT_ROOT" in r.json()["detail"], r.text


def test_a_job_whose_process_died_shows_failed(world: World, manager: Person) -> None:
    pid = world.project(manager)
    world.app.state.jobs.stop()  # nobody runs the job: it stays queued, then we make it look abandoned
    r = post_file(world.client, manager, pid, "t.jsonl", jsonl(10), "?async=true")
    import_id = r.json()["import"]
    dead = _dead_pid()
    with world.db.writer() as s:
        s.execute(update(Job).values(status="running", worker_id=f"{socket.gethostname()}:{dead}"))
        s.commit()
    state = world.client.get(f"/api/projects/{pid}/imports/{import_id}", headers=manager.headers).json()
    assert state["status"] == "failed" and "server stopped" in state["error"], state
    with world.db.reader() as s:
        assert s.scalars(select(Job.status)).all() == ["failed"]
    assert uploads_left(world) == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_someone_who_may_not_import_is_refused_before_the_upload(world: World, manager: Person) -> None:
    pid = world.project(manager)
    annotator = world.person("annotator@example.com")
    world.join(pid, annotator, "annotator")
    r = post_file(world.client, annotator, pid, "t.jsonl", jsonl(10), "?async=true")
    assert r.status_code == 403
    assert uploads_left(world) == []


def _half_bad_jsonl() -> bytes:
    rows = [json.dumps({"text": f"row {i}"}) for i in range(1, 2001)]
    rows[999] = '{"text": "row 1000"'  # line 1000 of 2000 is cut short
    return "\n".join(rows).encode()


BATTERY = {
    "truncated.json": (b'[{"text": "a"}, {"text": "b"', "the file ends inside an item"),
    "half.jsonl": (_half_bad_jsonl(), "line 1000"),
    "quotes.csv": (b"text,label\n" + b"a,1\n" * 500 + b'"unbalanced,1\n' + b"b,2\n" * 500, "line 502"),
    "utf16.jsonl": ('{"text": "a"}\n'.encode("utf-16"), "UTF-16"),
    "utf16-nobom.csv": ("text\nhello\n".encode("utf-16-le"), "UTF-16"),
    "nul.jsonl": (b'{"text": "a"}\n{"text": "b\x00"}\n', "line 2"),
    "deep.json": (b'[{"text": "a", "x": ' + b"[" * 10000 + b"]" * 10000 + b"}]", "nested deeper than"),
    "deep.jsonl": (b'{"text": "a", "x": ' + b"[" * 10000 + b"]" * 10000 + b"}\n", "nested deeper than"),
    "gzip.jsonl.gz": (gzip.compress(jsonl(100))[:-40], "gzip data is damaged"),
}


@pytest.mark.parametrize("name", BATTERY, ids=list(BATTERY))
def test_bad_files_fail_the_job_and_import_nothing(world: World, manager: Person, name: str) -> None:
    pid = world.project(manager)
    content, named = BATTERY[name]
    files = [("file", ("fine.jsonl", jsonl(10))), ("file", (name, content))]
    r = world.client.post(f"/api/projects/{pid}/import?async=true", files=files, headers=manager.headers)
    assert r.status_code == 201, r.text
    state = wait_for(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "failed" and named.lower() in state["error"].lower(), state["error"]
    assert name in state["error"]
    assert task_count(world, pid) == 0 and uploads_left(world) == []


def test_a_utf8_bom_is_not_part_of_the_first_key(world: World, manager: Person) -> None:
    pid = world.project(manager)
    r = post_file(world.client, manager, pid, "bom.csv", b"\xef\xbb\xbftext\nhello\n", "?async=true")
    assert wait_for(world.client, manager, pid, r.json()["import"])["data_columns"] == ["text"]


def test_a_parquet_upload_imports_its_rows(world: World, manager: Person) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": [f"p{i}" for i in range(300)]}), buffer)
    pid = world.project(manager)
    r = post_file(world.client, manager, pid, "rows.parquet", buffer.getvalue())
    assert r.status_code == 201 and r.json()["task_count"] == 300, r.text
    r = post_file(world.client, manager, pid, "rows.parquet", b"not parquet at all")
    assert r.status_code == 400 and "rows.parquet: not a readable Parquet file" in r.json()["detail"], r.text


def test_stale_uploads_without_a_job_are_swept(world: World, manager: Person) -> None:
    from tessera.services.import_jobs import sweep_stale_uploads

    pid = world.project(manager)
    world.app.state.jobs.stop()  # the queued job keeps its upload
    r = post_file(world.client, manager, pid, "t.jsonl", jsonl(10), "?async=true")
    assert r.status_code == 201
    folder = world.settings.data_dir / "uploads"
    orphan = folder / "left-by-a-killed-server"
    orphan.mkdir()
    (orphan / "0.part").write_bytes(b"half an upload")
    assert sweep_stale_uploads(world.db, folder, older_than=-1) == 1
    assert not orphan.exists() and len(uploads_left(world)) == 1
