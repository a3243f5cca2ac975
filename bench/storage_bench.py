"""Source-storage sync time: a local folder and an S3 bucket (moto_server, a real local S3) of N objects,
each synced into a fresh project (a job: `answer s` is when the POST answered, which waits up to 10 s for the
job, `sync s` when the job completed, polled after that), then synced again (nothing new: the cost of
listing and comparing), and the median time of a task page of 100 whose references become
signed links (`page ms links`), and of the same page once the storage is deleted (`page ms plain`:
references left as they are). Prints a table.

    python bench/storage_bench.py [--objects 10000] [--database-url postgresql://postgres@127.0.0.1/postgres]
                                  [--local-only]

The app runs in this process over a fresh database (a temp SQLite file, or a new database on the given
server, dropped afterwards); moto_server runs as its own process, without signature checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.moto_s3 import moto_s3  # noqa: E402 - the tests' launcher of moto_server

CONFIG = (
    '<View><Image name="image" value="$image"/><Choices name="c" toName="image"><Choice value="a"/></Choices></View>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56


def timed_sync(
    client: TestClient, headers: dict[str, str], kind: str, sid: int, query: str = ""
) -> tuple[float, float, int]:
    """(seconds until the POST answered, seconds until the sync job completed, tasks imported): a sync that
    is still queued or in progress when the POST answers is polled every 50 ms."""
    started = time.perf_counter()
    r = client.post(f"/api/storages/{kind}/{sid}/sync{query}", headers=headers)
    assert r.status_code == 200, r.text
    answered = time.perf_counter() - started
    record = r.json()
    while record["status"] in ("queued", "in_progress"):
        time.sleep(0.05)
        record = client.get(f"/api/storages/{kind}/{sid}", headers=headers).json()
    assert record["status"] == "completed", record
    return answered, time.perf_counter() - started, record["last_sync_count"]


def page_ms(client: TestClient, headers: dict[str, str], pid: int) -> float:
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get(f"/api/tasks?project={pid}&page=2&page_size=100", headers=headers).status_code == 200
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--database-url")
    ap.add_argument("--local-only", action="store_true", help="leave the bucket out (filling moto is slow)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tessera-storage-bench-"))
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
        actor = Actor(user.id, user.email, is_admin=True)
        pids = [projects.create_project(s, actor, {"title": t, "label_config": CONFIG}).id for t in ("local", "s3")]
        s.commit()
    root = folder / "files"
    for i in range(args.objects):
        sub = root / "images" / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:06d}.png").write_bytes(PNG)
    try:
        with moto_s3() as moto:
            s3 = moto.client()
            s3.create_bucket(Bucket="tessera-bench")
            with ThreadPoolExecutor(16) as pool:
                list(
                    pool.map(
                        lambda i: s3.put_object(Bucket="tessera-bench", Key=f"images/{i:06d}.png", Body=PNG),
                        range(0 if args.local_only else args.objects),
                    )
                )
            settings = load_settings(
                data_dir=folder, database_url=url, env={}, outbound_allowlist=("127.0.0.1",), local_files_root=root
            )
            app = create_app(settings, database=db)
            client = TestClient(app)
            headers = {"Authorization": f"Token {key}"}
            local = {"project": pids[0], "path": "images", "recursive_scan": True, "use_blob_urls": True}
            bucket = {
                "project": pids[1],
                "bucket": "tessera-bench",
                "prefix": "images/",
                "use_blob_urls": True,
                "s3_endpoint": moto.endpoint,
                "aws_access_key_id": moto.access_key_id,
                "aws_secret_access_key": moto.secret_access_key,
            }
            print(f"{args.objects} objects, {'PostgreSQL' if drop else 'SQLite'}")
            heads = ("answer s", "sync s", "tasks/s", "again s", "page ms links", "page ms plain")
            print(
                f"{'storage':<18} {heads[0]:>9} {heads[1]:>8} {heads[2]:>8} {heads[3]:>9} {heads[4]:>13} {heads[5]:>14}"
            )
            runs = [("local folder", "localfiles", local, pids[0]), ("S3 (moto_server)", "s3", bucket, pids[1])]
            for label, kind, body, pid in runs[:1] if args.local_only else runs:
                sid = client.post(f"/api/storages/{kind}", json=body, headers=headers).json()["id"]
                answered, first, count = timed_sync(client, headers, kind, sid)
                _answered, again, none = timed_sync(client, headers, kind, sid)
                assert count == args.objects and none == 0, (count, none)
                linked = page_ms(client, headers, pid)
                assert client.delete(f"/api/storages/{kind}/{sid}", headers=headers).status_code == 204
                plain = page_ms(client, headers, pid)  # the same tasks, their references left as they are
                print(
                    f"{label:<18} {answered:>9.2f} {first:>8.2f} {count / first:>8.0f} {again:>9.2f} "
                    f"{linked:>13.1f} {plain:>14.1f}"
                )
            client.close()
            app.state.jobs.stop()
            app.state.outbound.close()
    finally:
        db.dispose()
        if drop:
            admin, name = drop
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
