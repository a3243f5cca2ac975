"""Time the data manager's task pages over HTTP on a big project, and print a table (not a timed test).

    python bench/dm_bench.py [--tasks 1000000] [--database-url postgresql://postgres@127.0.0.1/postgres]
    python bench/dm_bench.py --keep dm1m        # keep the seeded database to measure again without seeding

Seeds one project straight into the database (the import path has its own benchmark): real e-mails from
../shared/data/spam_assassin.jsonl.gz (subject, label and the first 300 characters of the body, repeated to
reach --tasks), then starts `tessera start` and asks `GET /api/tasks` as the data manager does, 100 a page:

- the first page: its rows alone, cold (`count=false`, as the data manager asks them), then with its total
  counted, then warm (the total cached);
- pages deep in the table: by `page=` (OFFSET) at random depths, and by `cursor=` 200 pages in a row starting
  half-way down (each next page from the previous page's `next_cursor`);
- plain, ordered by a data field, filtered by `data.subject` contains "re:", and searched for "linux" in every
  data field (the data manager's search: `contains` on each field, joined by "or").

With --database-url, a fresh database is made on that server, otherwise a SQLite file in a temporary data
folder; both are removed afterwards unless --keep NAME: then they stay under that name (`tessera_bench_NAME`,
`tessera-bench-NAME` in the temp folder) and the next run with it measures them again without seeding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import time
from pathlib import Path

import httpx
from live import run_tessera, serve, tessera_instance

from tessera.db.bulk import driver_value, insert_many, to_json
from tessera.db.engine import Database
from tessera.db.tables import Task

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "spam_assassin.jsonl.gz"
CONFIG = """<View><Text name="text" value="$text"/>
<Choices name="label" toName="text"><Choice value="ham"/><Choice value="spam"/></Choices></View>"""
BATCH = 20_000


def contains(key: str, value: str) -> dict:
    return {"filter": f"filter:tasks:data.{key}", "operator": "contains", "type": "String", "value": value}


SCENARIOS = [
    ("plain (by id)", {}),
    ("ordered by data.subject", {"ordering": ["tasks:data.subject"]}),
    ("ordered by -data.subject", {"ordering": ["-tasks:data.subject"]}),
    ("filter data.subject contains 're:'", {"filters": {"conjunction": "and", "items": [contains("subject", "re:")]}}),
    (
        "search 'linux' (every data field)",
        {"filters": {"conjunction": "or", "items": [contains(k, "linux") for k in ("text", "subject", "label")]}},
    ),
]


def mails() -> list[dict]:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    # PostgreSQL's jsonb cannot hold a NUL character, which a few of the e-mails have.
    return [
        {"text": r["text"][:300].replace("\x00", ""), "subject": (r["subject"] or "").replace("\x00", ""),
         "label": r["label"]}
        for r in rows
    ]  # fmt: skip


def seed(db: Database, project_id: int, count: int) -> None:
    corpus = mails()
    columns = ["project_id", "inner_id", "data", "meta", "total_annotations", "cancelled_annotations"]
    columns += ["total_predictions", "is_labeled", "created_at", "updated_at"]
    with db.writer() as session:
        conn = session.connection()
        now = driver_value(conn, Task.__table__.c.created_at, dt.datetime.now(dt.UTC))  # as imports write it
        for start in range(0, count, BATCH):
            rows = [
                (project_id, i + 1, to_json(corpus[i % len(corpus)]), "{}", 0, 0, 0, False, now, now)
                for i in range(start, min(count, start + BATCH))
            ]
            insert_many(conn, Task.__table__, columns, rows)
        conn.exec_driver_sql(f"UPDATE projects SET next_inner_id = {count + 1} WHERE id = {project_id}")
        session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE tasks" if db.url.startswith("postgresql") else "ANALYZE")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def p50_95(values: list[float]) -> str:
    return f"{pct(values, 0.5):.1f} / {pct(values, 0.95):.1f}"


def measure(c: httpx.Client, pid: int, query: dict, pages: int, deep_pages: int, rng: random.Random) -> list[str]:
    params = {"project": pid, "page_size": 100, "query": json.dumps(query)}

    def ask(**extra: object) -> tuple[float, dict]:
        t = time.perf_counter()
        r = c.get("/api/tasks", params={**params, **extra})
        took = time.perf_counter() - t
        r.raise_for_status()
        return took, r.json()

    rows_only, _body = ask(count="false")  # as the data manager asks: the rows first, the count apart
    cold, body = ask()
    total = body["total"]
    warm = [ask()[0] for _ in range(20)]
    last = max(1, (total + 99) // 100)
    deep = [ask(page=rng.randint(max(1, last // 2), last))[0] for _ in range(deep_pages)]
    _t, body = ask(page=max(1, last // 2 - pages // 2))
    walk: list[float] = []
    while body["next_cursor"] and len(walk) < pages:
        took, body = ask(cursor=body["next_cursor"], count="false")
        walk.append(took)
    return [
        f"{total:,}",
        f"{rows_only * 1000:.0f}",
        f"{cold * 1000:.0f}",
        p50_95(warm),
        p50_95(deep),
        f"{p50_95(walk)} ({len(walk)})" if walk else "-",
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--deep", type=int, default=10, help="OFFSET pages asked at random depths")
    ap.add_argument("--database-url")
    ap.add_argument("--keep", help="a name: keep (and reuse) the seeded database under it")
    args = ap.parse_args()
    rows: list[list[str]] = []
    with tessera_instance(args.database_url, keep=args.keep) as instance:
        if instance.fresh:
            (instance.data_dir / "config.xml").write_text(CONFIG, encoding="utf-8")
            config = str(instance.data_dir / "config.xml")
            run_tessera("project", "create", "--title", "mails", "--config", config, env=instance.env)
            db = Database(instance.database_url)
            t0 = time.perf_counter()
            seed(db, 1, args.tasks)
            db.dispose()
            print(f"seeded {args.tasks:,} tasks in {time.perf_counter() - t0:.1f} s", flush=True)
        rng = random.Random(7)
        with serve(instance) as live, live.client() as c:
            for name, query in SCENARIOS:
                rows.append([name, *measure(c, 1, query, args.pages, args.deep, rng)])
                print(" | ".join(rows[-1]), flush=True)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    head = ["query", "total", "first rows, cold", "count + first page", "first page p50 / p95", "OFFSET deep p50 / p95",
            "cursor next p50 / p95 (pages)"]  # fmt: skip
    print(f"\nData manager pages of 100 over HTTP, {backend}; times in ms")
    print(f"load average (1/5/15 min) at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
