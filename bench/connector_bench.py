"""Generation-job throughput against the fake OpenAI-compatible server, and print a table.

    python bench/connector_bench.py [--tasks 500] [--database-url postgresql://postgres@127.0.0.1/postgres]

The app runs in this process over a fresh database (a temp SQLite file, or a new database on the given
server, dropped afterwards); the fake server (`tests/fixtures/fake_openai.py`) runs as its own process. Each
row is one `generate` job over every task, with the connector's rate limit out of the way (100,000 a minute):
`echo` answers at once (the cost of Tessera itself: a read, a call, a write per task); `slow:0.05` adds 50 ms
of model latency, which the job's 4 threads overlap.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from tessera.db.engine import Database, normalize_url
from tessera.db.migrate import upgrade_database
from tessera.server import create_app
from tessera.services import projects, tokens, users
from tessera.services.actors import Actor
from tessera.services.secrets import ensure_instance_secret
from tessera.settings import load_settings

FAKE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "fake_openai.py"
KEY = "sk-bench"
CONFIG = '<View><Text name="prompt" value="$prompt"/></View>'


def run_job(client: TestClient, headers: dict[str, str], pid: int, cid: int, output: str, n: int) -> dict:
    body = {"prompt_field": "prompt", "output_field": output, "n": n}
    job = client.post(f"/api/projects/{pid}/connectors/{cid}/generate", json=body, headers=headers).json()
    while job["status"] not in ("completed", "failed"):
        time.sleep(0.05)
        job = client.get(f"/api/projects/{pid}/generations/{job['id']}", headers=headers).json()
    return job


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=500)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tessera-connector-bench-"))
    url, drop = f"sqlite:///{folder / 'tessera.db'}", None
    if args.database_url:
        server = normalize_url(args.database_url)
        name = f"tessera_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url, drop = server.rpartition("/")[0] + f"/{name}", (admin, name)
    db = Database(url)
    upgrade_database(db.engine)
    with db.writer() as s:
        ensure_instance_secret(s)
        user = users.create_user(s, None, email="bench@example.com", password="password123", is_admin=True)
        key = tokens.create_token(s, user.id).key
        pid = projects.create_project(s, Actor(user.id, user.email), {"title": "b", "label_config": CONFIG}).id
        s.commit()
    fake = subprocess.Popen([sys.executable, str(FAKE), "--key", KEY], stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout is not None
        base_url = f"http://127.0.0.1:{fake.stdout.readline().split()[1]}/v1"
        settings = load_settings(data_dir=folder, database_url=url, env={}, outbound_allowlist=("127.0.0.1",))
        app = create_app(settings, database=db)
        client = TestClient(app)
        headers = {"Authorization": f"Token {key}"}
        tasks = [{"prompt": f"prompt number {i}"} for i in range(args.tasks)]
        assert client.post(f"/api/projects/{pid}/import", json=tasks, headers=headers).status_code == 201
        print(f"{args.tasks} tasks, {'PostgreSQL' if drop else 'SQLite'}")
        print(f"{'model':<12} {'n':>2} {'seconds':>8} {'tasks/s':>8} {'replies/s':>9} {'failed':>6}")
        for i, (model, n) in enumerate([("echo", 1), ("echo", 4), ("slow:0.05", 1)]):
            body = {
                "name": f"c{i}",
                "base_url": base_url,
                "model": model,
                "api_key": KEY,
                "requests_per_minute": 100_000,
            }
            cid = client.post(f"/api/projects/{pid}/connectors", json=body, headers=headers).json()["id"]
            job = run_job(client, headers, pid, cid, f"out{i}", n)
            r = job["result"] or {}
            seconds = r.get("seconds", 0.0)
            rate = r.get("written", 0) / seconds if seconds else 0.0
            print(f"{model:<12} {n:>2} {seconds:>8.2f} {rate:>8.1f} {rate * n:>9.1f} {r.get('failed', '?'):>6}")
        client.close()
        app.state.jobs.stop()
        app.state.outbound.close()
    finally:
        fake.terminate()
        fake.wait()
        db.dispose()
        if drop:
            admin, name = drop
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
