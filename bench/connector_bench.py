"""Generation-job throughput against the fake OpenAI-compatible server, and print a table.

    python bench/connector_bench.py [--tasks 500] [--database-url postgresql://postgres@127.0.0.1/postgres]

A live `tessera start` (bench/live.py) runs over a fresh database (a temp SQLite file, or a new database on
the given server, dropped afterwards), with 127.0.0.1 on its outbound allow-list; the fake server
(`tests/fixtures/fake_openai.py`) runs as its own process. Each row is one `generate` job over every task, run
in the server, with the connector's rate limit out of the way (100,000 a minute): `echo` answers at once (the
cost of Tessera itself: a read, a call, a write per task); `slow:0.05` adds 50 ms of model latency, which the
job's 4 threads overlap. The seconds are the job's own, from its result.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import httpx
from live import live_tessera

FAKE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "fake_openai.py"
KEY = "sk-bench"
CONFIG = '<View><Text name="prompt" value="$prompt"/></View>'


def run_job(client: httpx.Client, pid: int, cid: int, output: str, n: int) -> dict:
    body = {"prompt_field": "prompt", "output_field": output, "n": n}
    job = client.post(f"/api/projects/{pid}/connectors/{cid}/generate", json=body).json()
    while job["status"] not in ("completed", "failed"):
        time.sleep(0.05)
        job = client.get(f"/api/projects/{pid}/generations/{job['id']}").json()
    return job


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=500)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    fake = subprocess.Popen([sys.executable, str(FAKE), "--key", KEY], stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout is not None
        base_url = f"http://127.0.0.1:{fake.stdout.readline().split()[1]}/v1"
        allow = {"TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1"}
        with live_tessera(args.database_url, extra_env=allow) as live, live.client() as client:
            pid = client.post("/api/projects", json={"title": "b", "label_config": CONFIG}).json()["id"]
            tasks = [{"prompt": f"prompt number {i}"} for i in range(args.tasks)]
            assert client.post(f"/api/projects/{pid}/import", json=tasks).status_code == 201
            print(f"{args.tasks} tasks, {'PostgreSQL' if args.database_url else 'SQLite'}")
            print(f"{'model':<12} {'n':>2} {'seconds':>8} {'tasks/s':>8} {'replies/s':>9} {'failed':>6}")
            for i, (model, n) in enumerate([("echo", 1), ("echo", 4), ("slow:0.05", 1)]):
                body = {
                    "name": f"c{i}",
                    "base_url": base_url,
                    "model": model,
                    "api_key": KEY,
                    "requests_per_minute": 100_000,
                }
                cid = client.post(f"/api/projects/{pid}/connectors", json=body).json()["id"]
                job = run_job(client, pid, cid, f"out{i}", n)
                r = job["result"] or {}
                seconds = r.get("seconds", 0.0)
                rate = r.get("written", 0) / seconds if seconds else 0.0
                print(f"{model:<12} {n:>2} {seconds:>8.2f} {rate:>8.1f} {rate * n:>9.1f} {r.get('failed', '?'):>6}")
    finally:
        fake.terminate()
        fake.wait()


if __name__ == "__main__":
    main()
