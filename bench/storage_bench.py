"""Source-storage sync time: a local folder and an S3 bucket (moto_server, a real local S3) of N objects,
each synced into a fresh project (a job: `answer s` is when the POST answered, which waits up to 10 s for the
job, `sync s` when the job completed, polled after that), then synced again (nothing new: the cost of
listing and comparing), and the median time of a task page of 100 whose references become
signed links (`page ms links`), and of the same page once the storage is deleted (`page ms plain`:
references left as they are). Prints a table.

    python bench/storage_bench.py [--objects 10000] [--database-url postgresql://postgres@127.0.0.1/postgres]
                                  [--local-only]

A live `tessera start` (bench/live.py) runs over a fresh database (a temp SQLite file, or a new database on the
given server, dropped afterwards), with the folder as its local-files root and 127.0.0.1 on its outbound
allow-list; moto_server runs as its own process, without signature checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from live import live_tessera

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.moto_s3 import moto_s3  # noqa: E402 - the tests' launcher of moto_server

CONFIG = (
    '<View><Image name="image" value="$image"/><Choices name="c" toName="image"><Choice value="a"/></Choices></View>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56


def timed_sync(client: httpx.Client, kind: str, sid: int) -> tuple[float, float, int]:
    """(seconds until the POST answered, seconds until the sync job completed, tasks imported): a sync that
    is still queued or in progress when the POST answers is polled every 50 ms."""
    started = time.perf_counter()
    r = client.post(f"/api/storages/{kind}/{sid}/sync")
    assert r.status_code == 200, r.text
    answered = time.perf_counter() - started
    record = r.json()
    while record["status"] in ("queued", "in_progress"):
        time.sleep(0.05)
        record = client.get(f"/api/storages/{kind}/{sid}").json()
    assert record["status"] == "completed", record
    return answered, time.perf_counter() - started, record["last_sync_count"]


def page_ms(client: httpx.Client, pid: int) -> float:
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get(f"/api/tasks?project={pid}&page=2&page_size=100").status_code == 200
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--database-url")
    ap.add_argument("--local-only", action="store_true", help="leave the bucket out (filling moto is slow)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tessera-storage-bench-") as root, moto_s3() as moto:
        for i in range(args.objects):
            sub = Path(root) / "images" / f"{i // 1000:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"{i:06d}.png").write_bytes(PNG)
        s3 = moto.client()
        s3.create_bucket(Bucket="tessera-bench")
        with ThreadPoolExecutor(16) as pool:
            list(
                pool.map(
                    lambda i: s3.put_object(Bucket="tessera-bench", Key=f"images/{i:06d}.png", Body=PNG),
                    range(0 if args.local_only else args.objects),
                )
            )
        env = {"TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1", "TESSERA_LOCAL_FILES_ROOT": root}
        with live_tessera(args.database_url, extra_env=env) as live, live.client() as client:
            pids = [
                client.post("/api/projects", json={"title": t, "label_config": CONFIG}).json()["id"]
                for t in ("local", "s3")
            ]
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
            print(f"{args.objects} objects, {'PostgreSQL' if args.database_url else 'SQLite'}")
            heads = ("answer s", "sync s", "tasks/s", "again s", "page ms links", "page ms plain")
            print(
                f"{'storage':<18} {heads[0]:>9} {heads[1]:>8} {heads[2]:>8} {heads[3]:>9} {heads[4]:>13} {heads[5]:>14}"
            )
            runs = [("local folder", "localfiles", local, pids[0]), ("S3 (moto_server)", "s3", bucket, pids[1])]
            for label, kind, body, pid in runs[:1] if args.local_only else runs:
                sid = client.post(f"/api/storages/{kind}", json=body).json()["id"]
                answered, first, count = timed_sync(client, kind, sid)
                _answered, again, none = timed_sync(client, kind, sid)
                assert count == args.objects and none == 0, (count, none)
                linked = page_ms(client, pid)
                assert client.delete(f"/api/storages/{kind}/{sid}").status_code == 204
                plain = page_ms(client, pid)  # the same tasks, their references left as they are
                print(
                    f"{label:<18} {answered:>9.2f} {first:>8.2f} {count / first:>8.0f} {again:>9.2f} "
                    f"{linked:>13.1f} {plain:>14.1f}"
                )


if __name__ == "__main__":
    main()
