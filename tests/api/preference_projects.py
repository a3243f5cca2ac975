"""Preference projects for the API tests: real prompt/chosen/rejected rows turned into pairwise tasks,
annotated through the API, with the display order set on the annotation rows."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from sqlalchemy import update

from tessera.db.tables import Annotation
from tests.api.conftest import Person, World

PAIRS = Path(__file__).resolve().parents[1] / "fixtures" / "preferences" / "preference_pairs.jsonl.gz"
PAIRWISE = """<View>
  <Paragraphs name="dialogue" value="$conversation" layout="dialogue" nameKey="role" textKey="content"/>
  <Pairwise name="pw" toName="answer1,answer2"/>
  <Text name="answer1" value="$answer1"/>
  <Text name="answer2" value="$answer2"/>
</View>"""
RANKER = """<View><Text name="prompt" value="$prompt"/><List name="answers" value="$items"/>
<Ranker name="rank" toName="answers"/>
<TextArea name="better" toName="prompt"/></View>"""


def real_pairs(n: int) -> list[dict[str, Any]]:
    with gzip.open(PAIRS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line, _ in zip(f, range(n), strict=False)]


def pairwise_tasks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks with the chosen reply on the left for even rows, on the right for odd ones."""
    tasks = []
    for i, row in enumerate(rows):
        first, second = (row["chosen"], row["rejected"]) if i % 2 == 0 else (row["rejected"], row["chosen"])
        tasks.append({"conversation": row["conversation"], "answer1": first, "answer2": second, "source_id": row["id"]})
    return tasks


def import_tasks(world: World, pid: int, person: Person, tasks: list[dict[str, Any]]) -> list[int]:
    r = world.client.post(f"/api/projects/{pid}/import?return_task_ids=true", json=tasks, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["task_ids"]


def pick(selected: str | None) -> list[dict[str, Any]]:
    """A Pairwise result; None submits no selection (a tie)."""
    if selected is None:
        return []
    return [{"from_name": "pw", "to_name": "answer1", "type": "pairwise", "value": {"selected": selected}}]


def annotate(world: World, task_id: int, person: Person, result: list[dict[str, Any]], **extra: Any) -> int:
    r = world.client.post(
        f"/api/tasks/{task_id}/annotations/", json={"result": result, **extra}, headers=person.headers
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def show(world: World, annotation_id: int, presentation: dict[str, list[str]] | None) -> None:
    """Record the display order on the annotation row, as the editor does."""
    with world.db.writer() as s:
        s.execute(update(Annotation).where(Annotation.id == annotation_id).values(presentation=presentation))
        s.commit()
