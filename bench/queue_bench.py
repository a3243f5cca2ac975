"""Labeling at team scale against a live `tessera start`: annotators signed in through the login form, each in
its own thread, take the next task (`POST /api/projects/{id}/next`, as the web app does) and submit it: as fast
as they can (the default: a saturation test), or pausing `--think` seconds between tasks, as people do (a
fast annotator takes a few seconds per task). Prints the latency of both calls and the throughput.

    python bench/queue_bench.py [--tasks 100000] [--annotators 50] [--submits 2000] [--overlap 1] [--think 0]
                                [--database-url postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from api_bench import CONFIG, MemorySampler, p95
from live import live_tessera

RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def signed_in(base: str, email: str, password: str) -> httpx.Client:
    """A client holding a browser session: the login form's token, then the session and CSRF cookies."""
    c = httpx.Client(base_url=base, timeout=60)
    page = c.get("/user/login").text
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    c.post("/user/login", data={"email": email, "password": password, "form_token": form_token})
    c.headers["X-CSRFToken"] = c.cookies["tessera_csrf"]
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--annotators", type=int, default=50)
    ap.add_argument("--submits", type=int, default=2000)
    ap.add_argument("--overlap", type=int, default=1)
    ap.add_argument("--think", type=float, default=0.0, help="seconds each annotator spends on a task")
    ap.add_argument("--database-url")
    args = ap.parse_args()

    rows: list[tuple[str, str]] = []
    with live_tessera(args.database_url) as live:
        base = live.base
        sampler = MemorySampler(live.process.pid)
        sampler.start()
        admin = live.client()
        project = {"title": "queue", "label_config": CONFIG, "maximum_annotations": args.overlap}
        pid = admin.post("/api/projects/", json=project).json()["id"]
        tasks = [{"text": f"sentence {i}"} for i in range(args.tasks)]
        body = json.dumps(tasks).encode()
        admin.post(f"/api/projects/{pid}/import", content=body, headers={"Content-Type": "application/json"})
        people = []
        for i in range(args.annotators):
            email = f"annotator{i}@example.com"
            user = admin.post("/api/users", json={"email": email, "password": "annotator-pass-1"}).json()
            admin.post(f"/api/projects/{pid}/members", json={"user": user["id"], "role": "annotator"})
            people.append(signed_in(base, email, "annotator-pass-1"))

        next_times: list[float] = []
        submit_times: list[float] = []
        lock = threading.Lock()
        remaining = [args.submits]

        def work(c: httpx.Client) -> None:
            if args.think:  # annotators start at different moments, as they do
                time.sleep(random.uniform(0, args.think))
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                t = time.perf_counter()
                r = c.post(f"/api/projects/{pid}/next")
                t_next = time.perf_counter() - t
                if r.status_code == 404:
                    return
                r.raise_for_status()
                if args.think:
                    time.sleep(args.think)
                t = time.perf_counter()
                c.post(f"/api/tasks/{r.json()['id']}/annotations", json={"result": RESULT}).raise_for_status()
                t_submit = time.perf_counter() - t
                with lock:
                    next_times.append(t_next)
                    submit_times.append(t_submit)

        cpu0, load0 = live.cpu_seconds(), os.getloadavg()[0]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.annotators) as pool:
            list(pool.map(work, people))
        wall = time.perf_counter() - t0
        cpu = live.cpu_seconds() - cpu0
        label = f"{args.annotators} annotators, {args.tasks:,} tasks, overlap {args.overlap}"
        if args.think:
            label += f", {args.think:g} s per task"
        rows.append(
            (
                f"next: median / p95 ({label})",
                f"{statistics.median(next_times) * 1000:.1f} / {p95(next_times) * 1000:.1f} ms",
            )
        )
        rows.append(
            (
                "submit: median / p95",
                f"{statistics.median(submit_times) * 1000:.1f} / {p95(submit_times) * 1000:.1f} ms",
            )
        )
        both = [a + b for a, b in zip(next_times, submit_times, strict=True)]
        rows.append(("next + submit: p95", f"{p95(both) * 1000:.1f} ms"))
        rows.append(("tasks labeled per second", f"{len(submit_times) / wall:.0f}"))
        rows.append(("server CPU per next + submit", f"{cpu / len(submit_times) * 1000:.1f} ms"))
        rows.append(("load average, start / end (1 min)", f"{load0:.1f} / {os.getloadavg()[0]:.1f}"))
        sampler.running = False
        sampler.join()
        rows.append(("server peak memory (RSS)", f"{sampler.peak_kb / 1024:.0f} MB"))
        for c in people:
            c.close()
        admin.close()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    width = max(len(k) for k, _ in rows)
    print(f"\nTessera labeling queue benchmark on {backend}")
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
