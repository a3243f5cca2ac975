"""Time the agreement report of a big project and print a table of figures.

    python bench/agreement_bench.py [--tasks 10000] [--database-url postgresql://postgres@127.0.0.1/postgres]

The project has a Choices control and a Labels (spans) control; every task has three annotators. The choices
are the Rzhetsky et al. (2009) crowd labels from the shared data folder (three curators per sentence, eight
curators in all), repeated where more tasks are asked for than the file holds; without that file they are
drawn at random. Spans are drawn: each annotator marks one to three entities, shifted a little at random.
The data goes in through the import service (bulk inserts) in this process; the report is timed through the
service (warm, best of three, past the report cache), again from the cache, and through the HTTP route of a
live `tessera start` on the same database (bench/live.py; the second GET, the first having filled the server's
cache). With --database-url a fresh database is created on that server and dropped afterwards; otherwise a
temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import time
from pathlib import Path
from typing import Any

from dashboard_bench import best_of_three, team_project
from live import tessera_instance, warm_get

from tessera.db.engine import Database
from tessera.services import imports
from tessera.services.actors import Actor
from tessera.services.agreement import AgreementQuery, compute_agreement, project_agreement

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/><Label value="LOC"/></Labels>
  <Choices name="relevance" toName="text">
    <Choice value="1"/><Choice value="2"/><Choice value="3"/><Choice value="4"/><Choice value="5"/>
  </Choices>
</View>"""
TEXT = "Alice Smith of Acme Corp met Bob Jones in Paris to talk about the new Berlin office. " * 2
ENTITIES = [(0, 11, "PER"), (15, 24, "ORG"), (29, 38, "PER"), (42, 47, "LOC"), (71, 77, "LOC")]
RZHETSKY = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "crowd_rzhetsky2009.csv"
CHUNK = 5000


def crowd_labels(tasks: int, rng: random.Random) -> list[dict[int, str]]:
    """Per task, curator index -> label: the real crowd labels when the shared file is there."""
    rows: list[dict[int, str]] = []
    if RZHETSKY.exists():
        with RZHETSKY.open(newline="") as f:
            for row in csv.DictReader(f):
                rows.append({int(k[1:]): v for k, v in row.items() if k.startswith("a") and v})
    if not rows:
        rows = [{i: str(rng.randint(1, 5)) for i in rng.sample(range(8), 3)} for _ in range(1000)]
    return [rows[i % len(rows)] for i in range(tasks)]


def spans(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for start, end, label in rng.sample(ENTITIES, rng.randint(1, 3)):
        start += rng.choice([0, 0, 0, 1, -1]) if start else 0
        end += rng.choice([0, 0, 0, 2, -1])
        value = {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}
        out.append({"from_name": "ner", "to_name": "text", "type": "labels", "value": value})
    return out


def fill(db: Database, tasks: int, seed: int) -> tuple[Actor, int, str]:
    rng = random.Random(seed)
    actor, project_id, key, curator_ids = team_project(db, {"title": "Agreement bench", "label_config": CONFIG}, 8, "c")
    labels = crowd_labels(tasks, rng)
    for first in range(0, tasks, CHUNK):
        body = []
        for answers in labels[first : first + CHUNK]:
            anns = []
            for curator, label in answers.items():
                choice = {"from_name": "relevance", "to_name": "text", "type": "choices", "value": {"choices": [label]}}
                anns.append({"completed_by": curator_ids[curator], "result": [choice, *spans(rng)]})
            body.append({"data": {"text": TEXT}, "annotations": anns})
        with db.writer() as s:
            imports.import_tasks(s, actor, project_id, body=body)
            s.commit()
    return actor, project_id, key


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--database-url")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    with tessera_instance(args.database_url) as instance:
        db = Database(instance.database_url)
        started = time.perf_counter()
        actor, project_id, key = fill(db, args.tasks, args.seed)
        fill_time = time.perf_counter() - started
        page_query = AgreementQuery(per_task=True, page=3, page_size=100)
        report_time, out = best_of_three(db, lambda s: compute_agreement(s, project_id, CONFIG, AgreementQuery()), 2)
        page_time, _ = best_of_three(db, lambda s: compute_agreement(s, project_id, CONFIG, page_query), 2)
        with db.reader() as s:
            project_agreement(s, actor, project_id, AgreementQuery())  # fills the cache
            started = time.perf_counter()
            project_agreement(s, actor, project_id, AgreementQuery())
            cached_time = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.dispose()
        http_time, _ = warm_get(instance, f"/api/projects/{project_id}/agreement", key)
        choices = out["controls"]["relevance"]["metrics"]
        ner = out["controls"]["ner"]["metrics"]
        rows = [
            ("database", db.engine.dialect.name),
            ("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
            ("tasks x annotators", f"{out['tasks']} x 3 ({args.tasks * 3} annotations)"),
            ("fill through the import service", f"{fill_time:.1f} s"),
            ("report, service, warm (best of 3)", report_time),
            ("report + per-task page 3, service", page_time),
            ("report again, unchanged project (cache)", f"{cached_time * 1000:.1f} ms"),
            ("report over HTTP (GET, cached)", f"{http_time:.2f} s"),
            ("peak RSS of the process (fill included)", f"{rss_after / 1024:.0f} MiB"),
            ("Fleiss' kappa (choices)", f"{choices['fleiss_kappa']['value']:.4f}"),
            ("Krippendorff's alpha, nominal", f"{choices['krippendorff_alpha_nominal']['value']:.4f}"),
            ("span F1 / mean IoU", f"{ner['f1']['value']:.4f} / {ner['mean_iou']['value']:.4f}"),
        ]
        width = max(len(k) for k, _ in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
