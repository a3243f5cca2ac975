"""Drive a live `tessera start` through its HTTP API like any client and print a table of figures.

    python bench/api_bench.py [--tasks 100000] [--database-url postgresql://postgres@127.0.0.1/postgres]

With --database-url, a fresh database is created on that server for the run and dropped afterwards. The server's
memory is sampled from /proc while the run goes on (peak resident set size, its worker processes' added in). Two
listings are paged again while another client submits 50 annotations a second, as a team at work does (each submit
moves the project's `data_version`). The submits are timed twice, 1,000 each: from 8 client processes, each with one
keep-alive connection and the standard library's HTTP client (the headline: what the server gives), and from 8 httpx
clients on threads of this one process, as before. The clients share the server's 2 cores; the threads also share one
GIL, so a reply that has arrived waits for its thread to be scheduled, which the threads' figure counts as the
server's time. Each row also has the CPU time the server (its worker processes too), the clients and, on PostgreSQL,
the database's backends spent per submit: a figure of CPU moves less than a time with the machine's load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from live import TESSERA, free_port
from live import run_tessera as tessera

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""
WORDS = "the quick brown fox jumps over lazy dog data label model review token spam ham".split()


def rss_kb(pid: int) -> int:
    """Resident memory of a process and of its children (the worker processes of `--workers`), in kB."""
    total = sum(rss_kb(int(child)) for task in Path(f"/proc/{pid}/task").iterdir() for child in _children(task))
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return total + int(line.split()[1])
    return total


def _children(task: Path) -> list[str]:
    try:
        return (task / "children").read_text().split()
    except OSError:  # the thread ended meanwhile
        return []


class MemorySampler(threading.Thread):
    """The server's resident memory every 50 ms: its peak over the run, and per phase (see `phase`)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.phase_peak_kb, self.running = pid, 0, 0, True
        self.phases: list[tuple[str, int, int]] = []  # (phase, peak during it, resident at its end), in kB

    def run(self) -> None:
        while self.running:
            try:
                kb = rss_kb(self.pid)
            except OSError:
                return
            self.peak_kb = max(self.peak_kb, kb)
            self.phase_peak_kb = max(self.phase_peak_kb, kb)
            time.sleep(0.05)

    def phase(self, name: str) -> None:
        """Close a phase: note its peak and the memory left at its end, and start the next one."""
        kb = rss_kb(self.pid)
        self.phases.append((name, max(self.phase_peak_kb, kb), kb))
        self.phase_peak_kb = kb


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and of its running children (the worker processes of
    `--workers`), from /proc."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in _children(task):
            total += cpu_seconds(int(child))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return total + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(database_url: str | None, db_name: str | None) -> float:
    """CPU time of the PostgreSQL backends serving the bench's database, when the server runs on this machine
    (0 on SQLite, or when its processes are not visible here)."""
    if not database_url:
        return 0.0
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (db_name,))]
    total = 0.0
    for backend in pids:
        try:
            total += cpu_seconds(backend)
        except OSError:
            pass
    return total


def own_cpu_seconds() -> float:
    """CPU time of this process and of the client processes it has waited for."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def submit_one_client(base: str, headers: dict[str, str], task_ids: list[int], out: Any) -> None:
    """One client process: its submits in turn on one keep-alive connection (as a browser keeps one), with the
    standard library's HTTP client; the seconds of each go to `out`."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    body = json.dumps({"result": RESULT}).encode()
    sent = {**headers, "Content-Type": "application/json"}
    times = []
    for task_id in task_ids:
        t = time.perf_counter()
        conn.request("POST", f"/api/tasks/{task_id}/annotations", body, sent)
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - t)
        if response.status != 201:
            out.put(None)  # the bench stops at once rather than wait for this client's times
            raise RuntimeError(f"submit to task {task_id}: HTTP {response.status}")
    out.put(times)


def submits_from_processes(base: str, headers: dict[str, str], targets: list[int], clients: int) -> list[float]:
    """The submits from `clients` processes at once, each with its share of the tasks."""
    out: multiprocessing.Queue[list[float] | None] = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=submit_one_client, args=(base, headers, targets[k::clients], out))
        for k in range(clients)
    ]
    for proc in procs:
        proc.start()
    times: list[float] = []
    for _ in procs:
        got = out.get(timeout=600)
        if got is None:
            raise RuntimeError("a client's submit failed (its error is above)")
        times += got
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise RuntimeError(f"a client process failed (exit {proc.exitcode})")
    return times


def submits_from_threads(base: str, headers: dict[str, str], targets: list[int], clients: int) -> list[float]:
    """The submits from `clients` threads of this process, each with its own httpx client."""
    times: list[float] = []
    lock = threading.Lock()
    local = threading.local()  # one keep-alive connection per client, as a browser keeps one

    def submit(task_id: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, headers=headers, timeout=60)
        t = time.perf_counter()
        local.client.post(f"/api/tasks/{task_id}/annotations", json={"result": RESULT}).raise_for_status()
        with lock:
            times.append(time.perf_counter() - t)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(submit, targets))
    return times


class SubmitsInBackground(threading.Thread):
    """One client submitting to `task_ids` in turn, at most `per_second`, until stopped."""

    def __init__(self, base: str, headers: dict[str, str], task_ids: list[int], per_second: float) -> None:
        super().__init__(daemon=True)
        self.base, self.headers, self.task_ids, self.pause = base, headers, task_ids, 1 / per_second
        self.stopping = threading.Event()
        self.made = 0

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=60) as c:
            for task_id in self.task_ids:
                if self.stopping.wait(self.pause):
                    return
                c.post(f"/api/tasks/{task_id}/annotations", json={"result": RESULT}).raise_for_status()
                self.made += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--annotations", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--database-url")
    ap.add_argument("--workers", type=int, default=1, help="server processes (memory and CPU are then their sum)")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tessera-bench-"))
    env = {**os.environ, "TESSERA_DATA_DIR": str(data_dir)}
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
    server = subprocess.Popen(
        [*TESSERA, "start", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, str]] = []
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        sampler = MemorySampler(server.pid)
        sampler.start()
        time.sleep(0.2)
        sampler.phase("started, idle")
        headers = {"Authorization": f"Token {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=600) as c:
            pid = c.post("/api/projects/", json={"title": "bench", "label_config": CONFIG}).json()["id"]
            rng = random.Random(7)
            tasks = [{"text": " ".join(rng.choices(WORDS, k=12)) + f" #{i}"} for i in range(args.tasks)]
            body = json.dumps(tasks).encode()
            t0 = time.perf_counter()
            r = c.post(f"/api/projects/{pid}/import", content=body, headers={"Content-Type": "application/json"})
            r.raise_for_status()
            rows.append((f"import {args.tasks:,} tasks (one JSON list)", f"{time.perf_counter() - t0:.2f} s"))
            ids = r.json()["task_ids"]
            sampler.phase("import")

            fox = {
                "filters": {
                    "conjunction": "and",
                    "items": [
                        {"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "fox"}
                    ],
                }
            }
            # (label, query, deepest page asked: None for the last page of the matching tasks)
            for label, query, deepest in [
                ("task page, any page", None, None),
                ("task page, text filter, pages 1-10", fox, 10),
                ("task page, text filter, any page", fox, None),
                ("task page, ordered by data.text", {"ordering": ["tasks:data.text"]}, None),
                ("task page, text filter, by -data.text", {**fox, "ordering": ["-tasks:data.text"]}, None),
            ]:  # fmt: skip
                extra = {"query": json.dumps(query)} if query else {}
                first = c.get("/api/tasks", params={"project": pid, "page": 1, "page_size": 100, **extra})
                last_page = max(1, (first.json()["total"] + 99) // 100)
                times = []
                for _ in range(args.pages):
                    page = rng.randint(1, min(deepest or last_page, last_page))
                    t = time.perf_counter()
                    resp = c.get("/api/tasks", params={"project": pid, "page": page, "page_size": 100, **extra})
                    times.append(time.perf_counter() - t)
                    resp.raise_for_status()
                rows.append((f"{label} (p95 of {args.pages})", f"{p95(times) * 1000:.1f} ms"))
            sampler.phase("task pages")
            # The same pages while another client submits 50 annotations a second (a team at work): every
            # submit moves the project's `data_version`.
            writing = SubmitsInBackground(base, headers, ids[-2000:], per_second=50)
            writing.start()
            by_text = {"ordering": ["tasks:data.text"]}
            for label, query, count in [
                ("any page", None, True),
                ("ordered by data.text", by_text, True),
                ("ordered by data.text, count=false (as the web app asks)", by_text, False),
            ]:
                extra = {"query": json.dumps(query)} if query else {}
                if not count:
                    extra["count"] = "false"
                last_page = max(1, (len(ids) + 99) // 100)
                times = []
                for _ in range(args.pages):
                    page = rng.randint(1, last_page)
                    t = time.perf_counter()
                    resp = c.get("/api/tasks", params={"project": pid, "page": page, "page_size": 100, **extra})
                    times.append(time.perf_counter() - t)
                    resp.raise_for_status()
                rows.append((f"task page, {label}, while a client submits (p95)", f"{p95(times) * 1000:.1f} ms"))
            writing.stop()
            rows.append(("  submits meanwhile", f"{writing.made}"))
            ids = ids[:-2000]
            sampler.phase("task pages while submitting")

            for label, submit_all in [
                (f"{args.clients} client processes", submits_from_processes),
                (f"{args.clients} httpx threads in one process", submits_from_threads),
            ]:
                targets, ids = ids[: args.annotations], ids[args.annotations :]
                cpu_before = cpu_seconds(server.pid), database_cpu_seconds(args.database_url, db_name)
                t0, client_before = time.perf_counter(), own_cpu_seconds()
                times = submit_all(base, headers, targets, args.clients)
                wall, client_cpu = time.perf_counter() - t0, own_cpu_seconds() - client_before
                server_cpu = cpu_seconds(server.pid) - cpu_before[0]
                db_cpu = database_cpu_seconds(args.database_url, db_name) - cpu_before[1]
                rows.append((f"annotation submit, {label} (p95)", f"{p95(times) * 1000:.1f} ms"))
                rows.append(("  submits per second", f"{len(targets) / wall:.0f}"))
                per_submit = f"{server_cpu / len(targets) * 1000:.2f} / {client_cpu / len(targets) * 1000:.2f} ms"
                rows.append(("  CPU per submit: server / the clients", per_submit))
                if args.database_url:
                    rows.append(("  CPU per submit: PostgreSQL's backends", f"{db_cpu / len(targets) * 1000:.2f} ms"))
            sampler.phase("annotation submits")

            t0 = time.perf_counter()
            size = 0
            with c.stream(
                "GET", f"/api/projects/{pid}/export", params={"exportType": "JSON", "download_all_tasks": "true"}
            ) as resp:
                resp.raise_for_status()
                for chunk in resp.iter_bytes():
                    size += len(chunk)
            rows.append(
                (f"export {args.tasks:,} tasks as JSON", f"{time.perf_counter() - t0:.2f} s ({size / 1e6:.0f} MB)")
            )
            sampler.phase("export")
        sampler.running = False
        sampler.join()
        rows.append(("server peak memory (RSS)", f"{sampler.peak_kb / 1024:.0f} MB"))
        for name, peak_kb, end_kb in sampler.phases:
            rows.append((f"  memory, {name}: peak / at its end", f"{peak_kb / 1024:.0f} / {end_kb / 1024:.0f} MB"))
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)
        if db_name:
            import psycopg

            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    backend = "PostgreSQL" if args.database_url else "SQLite"
    width = max(len(k) for k, _ in rows)
    print(f"\nTessera API benchmark on {backend}")
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
