"""Crash safety of exports, for real: a `tessera start` process is killed with SIGKILL while a snapshot job
writes a big project's export, and a `tessera export` command is killed while it writes its file. No truncated
file may ever be downloadable or left under the name asked for: after a restart the snapshot shows `failed`, its
download is refused, its half-written temporary file is gone, and a new snapshot works."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.api.test_import_crash import CONFIG, Server, server  # noqa: F401  (the fixture)

TASKS = 60_000


def _admin(server: Server) -> dict[str, str]:  # noqa: F811
    server.cli("user", "create", "--email", "admin@example.com", "--password", "crash-test-pass-1", "--admin")
    token = server.cli("token", "create", "--email", "admin@example.com").strip().splitlines()[-1].strip()
    return {"Authorization": f"Token {token}"}


def _project(http: httpx.Client) -> int:
    pid = http.post("/api/projects", json={"title": "crash", "label_config": CONFIG}).json()["id"]
    words = " ".join(["some words to make every task a little longer"] * 4)
    r = http.post(f"/api/projects/{pid}/import", json=[{"text": f"task {i}: {words}"} for i in range(TASKS)])
    assert r.status_code == 201 and r.json()["task_count"] == TASKS, r.text
    return pid


def _leftovers(server: Server, pid: int) -> list[str]:  # noqa: F811
    folder = server.data_dir / "exports" / str(pid)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_sigkill_during_a_snapshot_job_leaves_nothing_to_download(server: Server) -> None:  # noqa: F811
    headers = _admin(server)
    server.start()
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as http:
        pid = _project(http)
        made = http.post(f"/api/projects/{pid}/exports?async=true", json={"export_type": "CSV"})
        assert made.status_code == 201, made.text
        export_id = made.json()["id"]
        deadline = time.monotonic() + 60
        seen: dict = {}
        while time.monotonic() < deadline:  # wait until the job is into the rows, then kill the server
            seen = http.get(f"/api/projects/{pid}/exports/{export_id}").json()
            assert seen["status"] not in ("completed", "failed"), seen
            # In the middle of a file: past the first 1,000 tasks of a step (JSON, then CSV), not at its end
            # (a busy machine can miss all of the JSON step's reports but its last).
            if 1000 <= (seen.get("progress") or {}).get("tasks", 0) < TASKS:
                break
            time.sleep(0.01)
        else:
            raise AssertionError(f"the export never got going: {seen}")
    assert 1000 <= seen["progress"]["tasks"] < TASKS, seen
    server.kill()
    assert any(name.endswith(".tmp") for name in _leftovers(server, pid))  # killed in the middle of a file

    server.start()
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as http:
        state = http.get(f"/api/projects/{pid}/exports/{export_id}").json()
        assert state["status"] == "failed" and "server stopped" in state["error"], state
        for fmt in ("JSON", "CSV"):
            r = http.get(f"/api/projects/{pid}/exports/{export_id}/download", params={"exportType": fmt})
            assert r.status_code in (400, 404, 409), (fmt, r.status_code, r.text[:200])
        assert _leftovers(server, pid) == []  # the half-written file went with the failed job
        again = http.post(f"/api/projects/{pid}/exports?async=true", json={}).json()
        deadline = time.monotonic() + 120
        while http.get(f"/api/projects/{pid}/exports/{again['id']}").json()["status"] != "completed":
            assert time.monotonic() < deadline, "the new snapshot did not complete"
            time.sleep(0.1)
        r = http.get(f"/api/projects/{pid}/exports/{again['id']}/download")
        assert r.status_code == 200 and len(json.loads(r.content)) == TASKS


def test_sigkill_during_tessera_export_never_leaves_a_truncated_file(server: Server, tmp_path: Path) -> None:  # noqa: F811
    headers = _admin(server)
    server.start()
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as http:
        pid = _project(http)
    server.stop()
    out = tmp_path / "out" / "tasks.json"
    out.parent.mkdir()
    command = [*server.command, "export", str(pid), "--format", "JSON", "--out", str(out)]
    proc = subprocess.Popen([*command, "--data-dir", str(server.data_dir)], env=server.env)
    partial = out.with_name(out.name + ".tmp")
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 100_000):  # well into the file
        assert proc.poll() is None, "the export ended before it could be killed"
        assert time.monotonic() < deadline, "the export never started writing"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)
    assert not out.exists()  # the name asked for appears only once the whole file is written
    done = subprocess.run([*command, "--data-dir", str(server.data_dir)], env=server.env, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_bytes())) == TASKS and not partial.exists()
