"""Time the training exports and the preference report of a pairwise project, and print a table (not a test).

    python bench/preference_export_bench.py [--tasks 10000] [--database-url postgresql://postgres@127.0.0.1/postgres]

Seeds a Pairwise project straight into the database: tasks made of the 300 real prompt/chosen/rejected rows
in tests/fixtures/preferences/preference_pairs.jsonl.gz (repeated to reach --tasks; 186 of them multi-turn
conversations), each with two annotations by two annotators, with a display order on each. Then runs
`tessera export` as a subprocess per format (time, CPU, peak resident memory, as bench/export_bench.py
measures them), and the preference report in this process through its service.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import time
from pathlib import Path

from export_bench import peak_rss
from live import TESSERA, run_tessera, tessera_instance

from tessera.db.bulk import driver_value, insert_many, to_json
from tessera.db.engine import Database
from tessera.db.tables import Annotation, Task
from tessera.services.actors import Actor
from tessera.services.preference_report import preference_report

DATA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "preferences" / "preference_pairs.jsonl.gz"
CONFIG = """<View>
  <Paragraphs name="dialogue" value="$conversation" layout="dialogue" nameKey="role" textKey="content"/>
  <Pairwise name="pw" toName="answer1,answer2"/>
  <Text name="answer1" value="$answer1"/>
  <Text name="answer2" value="$answer2"/>
</View>"""
BATCH = 10_000


def seed(db: Database, project_id: int, count: int, annotators: list[int]) -> None:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    t, a = Task.__table__, Annotation.__table__
    with db.writer() as session:
        conn = session.connection()
        now = driver_value(conn, t.c.created_at, dt.datetime.now(dt.UTC))  # as imports write it (binary COPY)
        first = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM tasks").scalar() + 1
        ann_id = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM annotations").scalar() + 1
        for start in range(0, count, BATCH):
            ids = range(first + start, first + start + min(BATCH, count - start))
            task_rows, ann_rows = [], []
            for i in ids:
                row = rows[i % len(rows)]
                swap = i % 2 == 1
                data = {
                    "conversation": row["conversation"],
                    "answer1": row["rejected"] if swap else row["chosen"],
                    "answer2": row["chosen"] if swap else row["rejected"],
                }
                task_rows.append((i, project_id, i - first + 1, to_json(data), "{}", 2, 0, 0, True, now, now))
                for k, who in enumerate(annotators):
                    agrees = (i + k) % 5 != 0
                    selected = ("right" if swap else "left") if agrees else ("left" if swap else "right")
                    result = [{"from_name": "pw", "to_name": "answer1", "type": "pairwise",
                               "value": {"selected": selected}}]  # fmt: skip
                    shown = {"pw": ["answer2", "answer1"] if (i + k) % 3 == 0 else ["answer1", "answer2"]}
                    ann_rows.append(
                        (ann_id, i, project_id, who, to_json(result), to_json(shown), False, False, 1, 1, now, now)
                    )
                    ann_id += 1
            columns = ["id", "project_id", "inner_id", "data", "meta", "total_annotations"]
            columns += ["cancelled_annotations", "total_predictions", "is_labeled", "created_at", "updated_at"]
            insert_many(conn, t, columns, task_rows)
            columns = ["id", "task_id", "project_id", "completed_by", "result", "presentation", "was_cancelled"]
            columns += ["ground_truth", "config_version", "version", "created_at", "updated_at"]
            insert_many(conn, a, columns, ann_rows)
        if db.url.startswith("postgresql"):
            for name in ("tasks", "annotations"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"
                )
            conn.exec_driver_sql("ANALYZE tasks")
            conn.exec_driver_sql("ANALYZE annotations")
        session.commit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--formats", default="DPO_JSONL,REWARD_PAIRS_JSONL,KTO_JSONL,SFT_JSONL,HF_DATASET,JSONL")
    ap.add_argument("--database-url")
    args = ap.parse_args()

    rows: list[tuple[str, str, str, str, str]] = []
    with tessera_instance(args.database_url) as instance:
        env, data_dir = instance.env, instance.data_dir
        (data_dir / "pairwise.xml").write_text(CONFIG, encoding="utf-8")
        run_tessera("project", "create", "--title", "pairs", "--config", str(data_dir / "pairwise.xml"), env=env)
        raters = [
            run_tessera("user", "create", "--email", f"rater{k}@example.com", "--password", "bench-password", env=env)
            for k in (1, 2)
        ]
        db = Database(instance.database_url)
        t0 = time.perf_counter()
        seed(db, 1, args.tasks, [int(created.split()[2]) for created in raters])  # "created user <id> <e-mail>"
        print(f"seeded {args.tasks:,} pairwise tasks x 2 annotations in {time.perf_counter() - t0:.1f} s")
        for fmt in filter(None, args.formats.split(",")):
            out = data_dir / f"out-{fmt}"
            seconds, cpu, kb = peak_rss([*TESSERA, "export", "1", "--format", fmt, "--out", str(out)], env)
            lines = sum(1 for _ in open(out, "rb")) if fmt.endswith("JSONL") else None
            what = f"{fmt} export of {args.tasks:,} tasks x 2" + (f" ({lines:,} rows)" if lines is not None else "")
            size = f"{out.stat().st_size / 1e6:.0f} MB"
            rows.append((what, f"{seconds:.2f} s", f"{cpu:.2f} s", f"{kb / 1024:.0f} MB", size))
            out.unlink()
        with db.reader() as session:
            t0 = time.perf_counter()
            report = preference_report(session, Actor.system(), 1)
            seconds = time.perf_counter() - t0
        shown = report["controls"][0]["position_bias"]["shown"]
        what = f"preference report of {args.tasks:,} tasks x 2 (first-shown rate {shown['first_rate']})"
        rows.append((what, f"{seconds:.2f} s", "-", "-", "-"))
        db.dispose()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    width = max(len(r[0]) for r in rows)
    print(f"\nTessera training-export benchmark on {backend} (`tessera export`, one process, peak resident memory)")
    print(f"uptime load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'measure':<{width}}  {'time':>9}  {'CPU':>9}  {'memory':>7}  {'file':>7}")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 9}  {'-' * 7}  {'-' * 7}")
    for name, seconds, cpu, memory, size in rows:
        print(f"{name:<{width}}  {seconds:>9}  {cpu:>9}  {memory:>7}  {size:>7}")


if __name__ == "__main__":
    main()
