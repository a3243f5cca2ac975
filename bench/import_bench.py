"""Import a million text tasks from a JSONL file into a live `tessera start`, as a job, and print a table.

    python bench/import_bench.py [--tasks 1000000] [--chars 300] [--database-url postgresql://postgres@127.0.0.1/postgres]

The tasks are real e-mails from `../shared/data/spam_assassin.jsonl.gz` (subject, label and the first
`--chars` characters of the body), repeated with a running number until there are `--tasks` of them. The file
is uploaded with `?async=true`; the time runs from the start of the upload until the job reports `completed`.
The server's resident memory is sampled from /proc all along (peak). With --database-url, a fresh database
is created on that server for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from api_bench import MemorySampler, free_port, tessera

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text"><Choice value="ham"/><Choice value="spam"/></Choices>
</View>"""
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "spam_assassin.jsonl.gz"


def build_file(path: Path, tasks: int, chars: int, source: Path) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as f:
        mails = [json.loads(line) for line in f]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(tasks):
            mail = mails[i % len(mails)]
            row = {"text": mail["text"][:chars], "subject": mail["subject"], "label": mail["label"], "n": i}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--chars", type=int, default=300)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--database-url")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tessera-import-bench-"))
    source = data_dir / "tasks.jsonl"
    t0 = time.perf_counter()
    build_file(source, args.tasks, args.chars, args.data)
    built = time.perf_counter() - t0
    size = source.stat().st_size
    env = {**os.environ, "TESSERA_DATA_DIR": str(data_dir), "TESSERA_MAX_UPLOAD_BYTES": str(max(size * 2, 1 << 30))}
    db_name = None
    if args.database_url:
        import psycopg

        db_name = f"tessera_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["TESSERA_DATABASE_URL"] = args.database_url.rsplit("/", 1)[0] + "/" + db_name
    tessera("user", "create", "--email", "bench@example.com", "--password", "benchmark1", "--admin", env=env)
    token = tessera("token", "create", "--email", "bench@example.com", env=env).strip().splitlines()[-1]
    port = free_port()
    exe = shutil.which("tessera")
    cmd = [exe] if exe else [sys.executable, "-c", "from tessera.cli.main import app; app()"]
    server = subprocess.Popen(
        [*cmd, "start", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, str]] = [
        ("database", "PostgreSQL" if args.database_url else "SQLite"),
        ("file", f"{args.tasks:,} JSONL rows, {size / 1e6:.0f} MB (built in {built:.1f} s)"),
    ]
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        sampler = MemorySampler(server.pid)
        sampler.start()
        headers = {"Authorization": f"Token {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=600) as c:
            pid = c.post("/api/projects/", json={"title": "bench", "label_config": CONFIG}).json()["id"]
            t0 = time.perf_counter()
            with open(source, "rb") as handle:
                r = c.post(f"/api/projects/{pid}/import?async=true", files={"file": ("tasks.jsonl", handle)})
            r.raise_for_status()
            uploaded = time.perf_counter() - t0
            import_id = r.json()["import"]
            polls = 0
            while True:
                state = c.get(f"/api/projects/{pid}/imports/{import_id}").json()
                polls += 1
                if state["status"] in ("completed", "failed"):
                    break
                time.sleep(0.25)
            total = time.perf_counter() - t0
            if state["status"] != "completed":
                raise SystemExit(f"import failed: {state['error']}")
            rows.append(("upload (spooled to the data folder)", f"{uploaded:.2f} s"))
            rows.append((f"import {state['task_count']:,} tasks, upload to completed", f"{total:.2f} s"))
            rows.append(("tasks per second", f"{state['task_count'] / total:,.0f}"))
            rows.append(("progress polls answered during the job", str(polls)))
        sampler.running = False
        rows.append(("server peak memory (RSS)", f"{sampler.peak_kb / 1024:.0f} MB"))
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)
        if db_name is not None:
            import psycopg

            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
