"""Time `tessera export` in the formats that carry big projects, and print a table (not a timed test).

    python bench/export_bench.py [--tasks 1000000] [--images 10000] [--formats JSONL,PARQUET,JSON]
        [--sync-formats JSON,JSONL] [--database-url postgresql://postgres@127.0.0.1/postgres]
        [--before-pythonpath OTHER/src] [--keep DIR]

Seeds two projects straight into the database (the import path has its own benchmark): text tasks made of the
SpamAssassin e-mails in ../shared/data (repeated to reach --tasks), each with one span annotation; and image
tasks with one annotation of 20 boxes each. Then runs `tessera export` as a subprocess per format and samples
its resident memory from /proc (peak). With --database-url, a fresh database is made on that server for the
run and dropped afterwards. Targets (issue 4): JSONL and Parquet of 1,000,000 tasks under 20 s and 500 MB,
COCO of 10,000 images with 20 boxes each under 10 s. Then starts `tessera start` and downloads the text
project from the sync endpoint in `--sync-formats` (issue 2: JSON of 100,000 tasks under 2 s, server under
250 MB). With --before-pythonpath, each `tessera export` runs first with that PYTHONPATH (other code, e.g. a
checkout of the main branch: "before") and then with this one, on the same seeded database. With --keep DIR,
the data folder (and the PostgreSQL database) is DIR's and stays after the run; a later run with the same
--keep, --tasks, --images and server reuses it instead of seeding again (`DIR/seeded.json` says what it holds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from api_bench import MemorySampler, free_port, tessera

from tessera.db.bulk import driver_value, insert_many, to_json
from tessera.db.engine import Database
from tessera.db.tables import Annotation, Task

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "spam_assassin.jsonl.gz"
TEXT_CONFIG = """<View><Text name="text" value="$text"/>
<Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels></View>"""
IMAGE_CONFIG = """<View><Image name="image" value="$image"/>
<RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Person"/></RectangleLabels></View>"""
BATCH = 20_000


def peak_rss(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run `cmd`; (seconds, CPU seconds of the process, peak resident kB sampled every 20 ms). On a busy
    machine the CPU time is the better guess of the time alone (on PostgreSQL it leaves out the server's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            try:
                for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        peak[0] = max(peak[0], int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = process.communicate()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{cmd}: {err.decode()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - t0, cpu, peak[0]


def sync_exports(cli: list[str], env: dict[str, str], formats: list[str], count: int) -> list[tuple[str, ...]]:
    """Start `tessera start` and download project 1 from the sync endpoint (`GET /api/projects/1/export`,
    all tasks) per format, as Label Studio's SDK does; (measure, time, server CPU, server peak memory, size).
    The server's CPU is read from /proc before and after each download."""
    if not formats:
        return []
    try:
        tessera("user", "create", "--email", "bench@example.com", "--password", "benchmark1", "--admin", env=env)
    except subprocess.CalledProcessError:
        pass  # made by an earlier run on a kept folder (--keep)
    token = tessera("token", "create", "--email", "bench@example.com", env=env).strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [*cli, "start", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=600) as client:
            for fmt in formats:
                sampler = MemorySampler(server.pid)
                sampler.start()
                cpu0, t0, size = _cpu(server.pid), time.perf_counter(), 0
                params = {"exportType": fmt, "download_all_tasks": "true"}
                with client.stream("GET", "/api/projects/1/export", params=params) as response:
                    response.raise_for_status()
                    for chunk in response.iter_raw(1 << 20):
                        size += len(chunk)
                seconds, cpu = time.perf_counter() - t0, _cpu(server.pid) - cpu0
                sampler.running = False
                sampler.join()
                measure = f"{fmt} sync endpoint, {count:,} text tasks"
                rows.append(
                    (
                        measure,
                        f"{seconds:.2f} s",
                        f"{cpu:.2f} s",
                        f"{sampler.peak_kb / 1024:.0f} MB",
                        f"{size / 1e6:.0f} MB",
                    )
                )
    finally:
        server.terminate()
        server.wait()
    return rows


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def texts() -> list[str]:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        # PostgreSQL's jsonb cannot hold a NUL character, which a few of the e-mails have.
        return [row["text"].replace("\x00", "") for row in map(json.loads, f) if row.get("text")]


def seed(db: Database, project_id: int, count: int, make_data, make_result) -> None:
    """`count` tasks with one annotation each, inserted in batches the way imports insert them."""
    t, a = Task.__table__, Annotation.__table__
    with db.writer() as session:
        conn = session.connection()
        now = driver_value(conn, t.c.created_at, dt.datetime.now(dt.UTC))  # as imports write it (binary COPY)
        first = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM tasks").scalar() + 1
        keep_text = conn.dialect.name == "postgresql"
        first_ann = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM annotations").scalar() + 1
        for start in range(0, count, BATCH):
            n = min(BATCH, count - start)
            ids = range(first + start, first + start + n)
            texts = [to_json(make_data(i)) for i in ids]
            task_rows = [
                (i, project_id, i - first + 1, data, "{}", 1, 0, 0, True, now, now)
                for i, data in zip(ids, texts, strict=True)
            ]
            columns = ["id", "project_id", "inner_id", "data", "meta", "total_annotations"]
            columns += ["cancelled_annotations", "total_predictions", "is_labeled", "created_at", "updated_at"]
            if keep_text:  # PostgreSQL keeps the text beside the jsonb, as an import does (`Task.data_text`)
                task_rows = [(*row, data) for row, data in zip(task_rows, texts, strict=True)]
                columns.append("data_text")
            insert_many(conn, t, columns, task_rows)
            ann_rows = [
                (first_ann + i - first, i, project_id, to_json(make_result(i)), False, False, 1, 1, now, now)
                for i in ids
            ]
            columns = ["id", "task_id", "project_id", "result", "was_cancelled", "ground_truth"]
            columns += ["config_version", "version", "created_at", "updated_at"]
            insert_many(conn, a, columns, ann_rows)
        if db.url.startswith("postgresql"):
            for name in ("tasks", "annotations"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"
                )
            conn.exec_driver_sql("ANALYZE tasks")
            conn.exec_driver_sql("ANALYZE annotations")
        session.commit()


def span_result(text: str) -> list[dict]:
    end = min(len(text), 12)
    return [
        {
            "id": "s",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 0, "end": end, "text": text[:end], "labels": ["ORG"]},
        }
    ]


def boxes(i: int) -> list[dict]:
    return [
        {
            "id": f"b{k}",
            "from_name": "box",
            "to_name": "image",
            "type": "rectanglelabels",
            "original_width": 1280,
            "original_height": 720,
            "image_rotation": 0,
            "value": {
                "x": (k * 4.7 + i % 7) % 90,
                "y": (k * 3.1) % 90,
                "width": 5.5,
                "height": 7.25,
                "rotation": 0,
                "rectanglelabels": ["Car" if k % 3 else "Person"],
            },
        }
        for k in range(20)
    ]


def fill(url: str, data_dir: Path, env: dict[str, str], tasks: int, images: int) -> None:
    """Migrate the database, make the two projects and seed them."""
    tessera("db", "upgrade", env=env)
    for title, config in (("text", TEXT_CONFIG), ("images", IMAGE_CONFIG)):
        (data_dir / f"{title}.xml").write_text(config, encoding="utf-8")
        tessera("project", "create", "--title", title, "--config", str(data_dir / f"{title}.xml"), env=env)
    db = Database(url)
    corpus = texts()
    t0 = time.perf_counter()
    seed(db, 1, tasks, lambda i: {"text": corpus[i % len(corpus)]}, lambda i: span_result(corpus[i % len(corpus)]))
    seed(db, 2, images, lambda i: {"image": f"/data/upload/2/img_{i:07d}.jpg"}, boxes)
    db.dispose()
    print(f"seeded {tasks:,} text and {images:,} image tasks in {time.perf_counter() - t0:.1f} s")


def _kept(folder: Path, seeded: dict[str, object]) -> dict[str, str] | None:
    """What `folder` holds when it was seeded with the same tasks on the same server (else None; a folder
    that holds something else is refused rather than seeded over)."""
    marker = folder / "seeded.json"
    if not marker.exists():
        if folder.exists() and any(folder.iterdir()):
            raise SystemExit(f"--keep {folder}: not empty and not a kept bench folder")
        return None
    held = json.loads(marker.read_text(encoding="utf-8"))
    if {k: held.get(k) for k in seeded} != seeded:
        raise SystemExit(f"--keep {folder} holds {held}, not {seeded}: use another folder")
    return held


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--images", type=int, default=10_000)
    ap.add_argument("--formats", default="JSONL,PARQUET,JSON")
    ap.add_argument("--database-url")
    ap.add_argument("--sync-formats", default="JSON", help="formats downloaded from the sync endpoint too")
    ap.add_argument("--before-pythonpath", help="run each export with this PYTHONPATH too, first (A/B)")
    ap.add_argument("--keep", help="a data folder to keep (and reuse when it holds the same seeded database)")
    args = ap.parse_args()

    seeded = {"tasks": args.tasks, "images": args.images, "server": (args.database_url or "").rsplit("/", 1)[0]}
    kept = Path(args.keep) if args.keep else None
    reuse = _kept(kept, seeded) if kept else None
    if kept:
        kept.mkdir(parents=True, exist_ok=True)
    data_dir = kept or Path(tempfile.mkdtemp(prefix="tessera-export-bench-"))
    env = {**os.environ, "TESSERA_DATA_DIR": str(data_dir)}
    db_name = None
    if args.database_url:
        import psycopg  # only for a PostgreSQL run

        db_name = reuse["database"] if reuse else f"tessera_bench_{uuid.uuid4().hex[:8]}"
        if not reuse:
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db_name}"')
        env["TESSERA_DATABASE_URL"] = args.database_url.rsplit("/", 1)[0] + "/" + db_name
    url = env.get("TESSERA_DATABASE_URL") or f"sqlite:///{data_dir / 'tessera.db'}"
    exe = shutil.which("tessera")
    cli = [exe] if exe else [sys.executable, "-c", "from tessera.cli.main import app; app()"]
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        if reuse:
            print(f"reusing the {args.tasks:,} text and {args.images:,} image tasks seeded in {kept}")
        else:
            fill(url, data_dir, env, args.tasks, args.images)
            if kept:
                (kept / "seeded.json").write_text(json.dumps({**seeded, "database": db_name}), encoding="utf-8")
        runs = [("COCO", 2, args.images, "images x 20 boxes")] + [
            (fmt, 1, args.tasks, "text tasks") for fmt in args.formats.split(",") if fmt
        ]
        codes = [("", env)]
        if args.before_pythonpath:
            codes.insert(0, (" (before)", {**env, "PYTHONPATH": args.before_pythonpath}))
        for fmt, project, count, what in runs:
            for label, run_env in codes:
                out = data_dir / f"out-{fmt}"
                command = [*cli, "export", str(project), "--format", fmt, "--out", str(out)]
                seconds, cpu, kb = peak_rss(command, run_env)
                size = out.stat().st_size / 1e6
                measure = f"{fmt} export of {count:,} {what}{label}"
                rows.append((measure, f"{seconds:.2f} s", f"{cpu:.2f} s", f"{kb / 1024:.0f} MB", f"{size:.0f} MB"))
                out.unlink()
        rows += sync_exports(cli, env, [f for f in args.sync_formats.split(",") if f], args.tasks)
    finally:
        if not kept:
            shutil.rmtree(data_dir, ignore_errors=True)
        if db_name and not kept:
            import psycopg

            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    backend = "PostgreSQL" if args.database_url else "SQLite"
    width = max(len(r[0]) for r in rows)
    print(f"\nTessera export benchmark on {backend} (`tessera export`, one process, peak resident memory)")
    print(f"uptime load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'measure':<{width}}  {'time':>9}  {'CPU':>9}  {'memory':>7}  {'file':>7}")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 9}  {'-' * 7}  {'-' * 7}")
    for name, seconds, cpu, memory, size in rows:
        print(f"{name:<{width}}  {seconds:>9}  {cpu:>9}  {memory:>7}  {size:>7}")


if __name__ == "__main__":
    main()
