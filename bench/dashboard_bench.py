"""Time the project dashboard of a big project and print a table of figures.

    python bench/dashboard_bench.py [--tasks 100000] [--database-url postgresql://postgres@127.0.0.1/postgres]

Every task has two annotations by two of ten annotators (one in twenty a skip), with a Choices, a Labels
(spans) and a Rating control, drawn at random with a fixed seed; lead times are log-normal around half a
minute. The data goes in through the import service (bulk inserts), a chunk per day over a few weeks so that
the per-day series has that many points; then one annotation in ten is marked accepted, one in forty rejected,
one in a hundred ground truth. The dashboard is timed through the service (warm, best of three, past the report
cache) and part by part, again from the cache, then through the HTTP route of a live `tessera start` on the same
database (bench/live.py; the second GET, the first having filled the server's cache). With --database-url a
fresh database is created on that server and dropped afterwards; otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from live import tessera_instance, warm_get
from sqlalchemy import func, select, update

from tessera.db.engine import Database
from tessera.db.tables import Annotation, Project
from tessera.domain.config import cached_config
from tessera.services import dashboard, imports, members, projects, tokens, users
from tessera.services.actors import Actor
from tessera.services.label_distribution import label_distribution

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/><Label value="LOC"/></Labels>
  <Choices name="topic" toName="text">
    <Choice value="Sport"/><Choice value="Politics"/><Choice value="Science"/><Choice value="Arts"/>
    <Choice value="Other"/>
  </Choices>
  <Rating name="quality" toName="text" maxRating="5"/>
</View>"""
TEXT = "Alice Smith of Acme Corp met Bob Jones in Paris to talk about the new Berlin office."
ENTITIES = [(0, 11, "PER"), (15, 24, "ORG"), (29, 38, "PER"), (42, 47, "LOC"), (71, 77, "LOC")]
ANNOTATORS = 10
CHUNK = 4000  # tasks per import, and per day
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def result(rng: random.Random) -> list[dict[str, Any]]:
    topic = {"choices": [rng.choice(["Sport", "Politics", "Science", "Arts", "Other"])]}
    out = [
        {"from_name": "topic", "to_name": "text", "type": "choices", "value": topic},
        {"from_name": "quality", "to_name": "text", "type": "rating", "value": {"rating": rng.randint(1, 5)}},
    ]
    for n, (start, end, label) in enumerate(rng.sample(ENTITIES, rng.randint(1, 2))):
        value = {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}
        out.append({"id": f"r{n}", "from_name": "ner", "to_name": "text", "type": "labels", "value": value})
    return out


def annotation(rng: random.Random, who: int) -> dict[str, Any]:
    lead = round(math.exp(rng.gauss(math.log(30), 1.0)), 2)
    if rng.random() < 0.05:
        return {"completed_by": who, "result": [], "was_cancelled": True, "ground_truth": False, "lead_time": lead}
    return {"completed_by": who, "result": result(rng), "ground_truth": False, "lead_time": lead}


def team_project(db: Database, body: dict[str, Any], annotators: int, prefix: str) -> tuple[Actor, int, str, list[int]]:
    """A manager with a token, `annotators` users (`<prefix><i>@example.com`) and the manager's project (`body`)
    with them as its annotators: (the manager, the project's id, the token, the annotators' ids)."""
    with db.writer() as s:
        manager = users.create_user(s, None, email="manager@example.com", password="password123")
        key = tokens.create_token(s, manager.id).key
        people = [
            users.create_user(s, None, email=f"{prefix}{i}@example.com", password="password123")
            for i in range(annotators)
        ]
        actor = Actor(manager.id, manager.email)
        project = projects.create_project(s, actor, body)
        for person in people:
            members.add_member(s, Actor.system(), project.id, {"user": person.id, "role": "annotator"})
        s.commit()
        return actor, project.id, key, [p.id for p in people]


def fill(db: Database, tasks: int, seed: int) -> tuple[Actor, int, str]:
    rng = random.Random(seed)
    body = {"title": "Dashboard bench", "label_config": CONFIG, "maximum_annotations": 2}
    actor, project_id, key, ids = team_project(db, body, ANNOTATORS, "a")
    for day, first in enumerate(range(0, tasks, CHUNK)):
        rows = [
            {"data": {"text": TEXT}, "annotations": [annotation(rng, who) for who in rng.sample(ids, 2)]}
            for _ in range(first, min(first + CHUNK, tasks))
        ]
        with db.writer() as s:
            last = s.scalar(select(func.coalesce(func.max(Annotation.id), 0)))
            imports.import_tasks(s, actor, project_id, body=rows)
            at = START + timedelta(days=day, minutes=rng.randint(0, 480))
            s.execute(update(Annotation).where(Annotation.id > last).values(created_at=at))
            s.commit()
    with db.writer() as s:
        s.execute(update(Annotation).where(Annotation.id % 10 == 0).values(review_status="accepted"))
        s.execute(update(Annotation).where(Annotation.id % 40 == 7).values(review_status="rejected"))
        s.execute(update(Annotation).where(Annotation.id % 100 == 3).values(ground_truth=True))
        s.commit()
    return actor, project_id, key


def best_of_three(db: Database, work: Callable[[Any], Any], digits: int = 3) -> tuple[str, Any]:
    """`work(session)` three times, each in its own read session: the best wall time, and this process's CPU
    time (which on a shared machine varies less; on PostgreSQL it leaves out the server's own work)."""
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(3):
        with db.reader() as s:
            started, started_cpu = time.perf_counter(), time.process_time()
            out = work(s)
            wall = min(wall, time.perf_counter() - started)
            cpu = min(cpu, time.process_time() - started_cpu)
            s.rollback()
    return f"{wall:.{digits}f} s (CPU {cpu:.{digits}f} s)", out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--database-url")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    with tessera_instance(args.database_url) as instance:
        db = Database(instance.database_url)
        started = time.perf_counter()
        actor, pid, key = fill(db, args.tasks, args.seed)
        fill_time = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE annotations")
                conn.exec_driver_sql("VACUUM ANALYZE tasks")
        config = cached_config(CONFIG)

        def uncached(s: Any) -> dict[str, Any]:
            figures = dashboard.annotation_figures(s, s.get(Project, pid))
            return {**figures, "reviews": dashboard.review_counts(s, pid)}

        whole, out = best_of_three(db, uncached)
        with db.reader() as s:
            dashboard.project_dashboard(s, actor, pid)  # fills the report cache
        cached, _ = best_of_three(db, lambda s: dashboard.project_dashboard(s, actor, pid))
        parts = [
            ("progress per day", lambda s: dashboard.progress_by_day(s, pid)),
            ("annotator figures (median included)", lambda s: dashboard.annotator_figures(s, pid)),
            ("lead time histogram", lambda s: dashboard.lead_time_histogram(s, pid)),
            ("label distribution (grouped in SQL)", lambda s: label_distribution(s, pid, config)),
            ("review counts", lambda s: dashboard.review_counts(s, pid)),
            ("ground-truth counts", lambda s: dashboard.ground_truth_counts(s, pid)),
        ]
        part_times = [(f"  {label}", best_of_three(db, work)[0]) for label, work in parts]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.dispose()
        http_time, r = warm_get(instance, f"/api/projects/{pid}/dashboard", key)
        totals = out["totals"]
        topic = next(c for c in out["labels"] if c["control"] == "topic")
        rows = [
            ("database", db.engine.dialect.name),
            ("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
            ("tasks / labeled", f"{totals['tasks']} / {totals['labeled_tasks']}"),
            ("annotations / skips", f"{totals['annotations']} / {totals['skips']}"),
            ("days / annotators", f"{len(out['progress'])} / {len(out['annotators'])}"),
            ("fill through the import service", f"{fill_time:.1f} s"),
            ("dashboard, service, warm, no cache (best of 3)", whole),
            *part_times,
            ("dashboard again, unchanged project (cache)", cached),
            ("dashboard over HTTP (GET, cached figures)", f"{http_time:.3f} s, {len(r.content) / 1024:.0f} KiB"),
            ("peak RSS of the process (fill included)", f"{rss / 1024:.0f} MiB"),
            ("topic counts", ", ".join(f"{v['value']} {v['count']}" for v in topic["values"])),
            ("reviews", ", ".join(f"{k} {v}" for k, v in out["reviews"].items())),
        ]
        width = max(len(k) for k, _ in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
