"""What one request of the labeling hot path costs the server, one request at a time (nothing queued behind
anything): the server process's CPU time and the wall time per `POST /api/projects/{id}/next`, per submit and
per task page, for an annotator signed in through the login form as the web app is; and the SQL statements
each sends, counted in this process (a figure that does not move with the machine's load).

    python bench/request_cost.py [--tasks 20000] [--requests 300] [--show] [--database-url postgresql://...]

`--show` prints the SQL of one request of each kind. Compare two versions of the server on one machine with
it; `queue_bench.py` measures latency with many annotators at once.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections.abc import Callable

import httpx
from api_bench import CONFIG
from live import Live, live_tessera
from queue_bench import RESULT
from sqlalchemy import event
from starlette.testclient import TestClient

from tessera.db import raw_sql
from tessera.server import create_app
from tessera.settings import load_settings

PASSWORD = "annotator-pass-1"


def sign_in(client: httpx.Client | TestClient, email: str) -> None:
    """A browser session: the login form's token, then the session and CSRF cookies."""
    page = client.get("/user/login").text
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/user/login", data={"email": email, "password": PASSWORD, "form_token": form_token})
    client.headers["X-CSRFToken"] = client.cookies["tessera_csrf"]


class Requests:
    """The three requests, for one annotator's client: a claim, a submit of the task claimed, a task page."""

    def __init__(self, client: httpx.Client | TestClient, project_id: int) -> None:
        self.client, self.project_id, self.claimed = client, project_id, [0]

    def claim(self) -> None:
        r = self.client.post(f"/api/projects/{self.project_id}/next")
        r.raise_for_status()
        self.claimed.append(r.json()["id"])

    def submit(self) -> None:
        self.client.post(f"/api/tasks/{self.claimed.pop()}/annotations", json={"result": RESULT}).raise_for_status()

    def page(self) -> None:
        self.client.get("/api/tasks", params={"project": self.project_id, "page": 3, "page_size": 100})

    def kinds(self) -> list[tuple[str, Callable[[], None]]]:
        return [("next (claim)", self.claim), ("submit", self.submit), ("task page of 100", self.page)]


def server_costs(live: Live, project_id: int, email: str, n: int) -> dict[str, tuple[float, float]]:
    """Per kind: the server's CPU ms per request, and the median wall ms, over `n` requests in a row."""
    out = {}
    with httpx.Client(base_url=live.base, timeout=60) as client:
        sign_in(client, email)
        reqs = Requests(client, project_id)
        for _ in range(20):  # warm the server's statement caches
            reqs.claim()
            reqs.submit()
        for kind, call in reqs.kinds():
            walls = []
            if kind == "submit":  # each submit needs a task claimed, outside the timing
                claims = [reqs.claim() for _ in range(n)]
                del claims
            cpu = live.cpu_seconds()
            for _ in range(n):
                t = time.perf_counter()
                call()
                walls.append(time.perf_counter() - t)
            out[kind] = ((live.cpu_seconds() - cpu) * 1000 / n, statistics.median(walls) * 1000)
            if kind == "next (claim)":
                for _ in range(n):  # leave nothing held: the submits claim their own
                    reqs.submit()
    return out


def statement_counts(live: Live, project_id: int, email: str, show: bool) -> dict[str, int]:
    """The SQL statements of one request of each kind, sent by an app in this process on the same data."""
    app = create_app(load_settings(data_dir=live.data_dir, database_url=live.env.get("TESSERA_DATABASE_URL")))
    sent: list[str] = []
    event.listen(app.state.db.engine, "before_cursor_execute", lambda *a: sent.append(" ".join(a[2].split())))
    stop_watching = raw_sql.watch(lambda sql: sent.append(" ".join(sql.split())))  # those below SQLAlchemy's events
    counts = {}
    with TestClient(app) as client:
        sign_in(client, email)
        reqs = Requests(client, project_id)
        reqs.claim()
        reqs.submit()
        for kind, call in reqs.kinds():
            if kind == "submit":
                reqs.claim()
            sent.clear()
            call()
            counts[kind] = len(sent)
            if show:
                print(f"--- {kind}")
                for statement in sent:
                    print("   ", statement[:240])
    stop_watching()
    app.state.db.dispose()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--database-url")
    ap.add_argument("--show", action="store_true", help="print the SQL of one request of each kind")
    args = ap.parse_args()
    email = "annotator@example.com"
    with live_tessera(args.database_url) as live, live.client() as admin:
        project_id = admin.post("/api/projects", json={"title": "cost", "label_config": CONFIG}).json()["id"]
        tasks = [{"text": f"sentence {i}"} for i in range(args.tasks)]
        admin.post(f"/api/projects/{project_id}/import", json=tasks).raise_for_status()
        user = admin.post("/api/users", json={"email": email, "password": PASSWORD}).json()
        admin.post(f"/api/projects/{project_id}/members", json={"user": user["id"], "role": "annotator"})
        load = os.getloadavg()[0]
        costs = server_costs(live, project_id, email, args.requests)
        counts = statement_counts(live, project_id, email, args.show)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nTessera request cost on {backend}: {args.tasks:,} tasks, {args.requests} requests of each kind")
    print(f"in a row, one client (load {load:.1f} at the start)")
    rows = [("request", "server CPU ms", "wall ms median", "SQL statements")]
    rows += [(k, f"{cpu:.2f}", f"{wall:.2f}", str(counts[k])) for k, (cpu, wall) in costs.items()]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, r in enumerate(rows):
        print("  ".join(f"{c:<{w}}" for c, w in zip(r, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
