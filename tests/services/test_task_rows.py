"""The task list's rows as JSON text (`task_rows`, what `GET /api/tasks` answers without `fields=all`) are the
bytes of `task_dict` encoded, on SQLite and PostgreSQL: odd strings and numbers in `data` and `meta`,
annotations (cancelled, reviewed, by several people, with lead times), predictions with and without scores,
agreement, extra overlap, pages in any order; for a manager and for an annotator who sees only their own work."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from tessera.db.engine import Database
from tessera.db.tables import Annotation, Project, Task
from tessera.io.ls_json import encode_compact
from tessera.services import imports, members, tasks, users
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.projects import create_project

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="kind" toName="text"><Choice value="a/b"/><Choice value="é"/></Choices>
</View>"""
ADMIN = Actor.system()
ODD = ["a/b </script>", "é 漢字 😀", "\u2028", 'tab\t nl\n q" bs\\ \x7f', "p = 3.9e-06", ""]
# 2**70 makes the import store `data` with `json` (its orjson path may spell a float differently: `1e16`
# for `1e+16`, the same JSON value), so that the stored text is `encode_compact`'s byte for byte.
NUMBERS = [0.1, 1e-05, 1e16, 2**70, -(2**63), 0, True, None]


def _result(i: int) -> list[dict]:
    span = {"start": 0, "end": 1, "text": "x", "labels": [["PER"], ["ORG"], ["PER", "ORG"]][i % 3]}
    choice = {"choices": [["a/b"], ["é"]][i % 2]}
    return [
        {"id": f"s{i}", "from_name": "label", "to_name": "text", "type": "labels", "value": span},
        {"id": f"c{i}", "from_name": "kind", "to_name": "text", "type": "choices", "value": choice},
    ]


def _tasks() -> list[dict]:
    out = []
    for i in range(30):
        task: dict = {"data": {"text": ODD[i % len(ODD)] + str(i), "n": NUMBERS[i % len(NUMBERS)], "l": NUMBERS}}
        if i % 2:
            task["meta"] = {"source": ODD[i % len(ODD)], "x": NUMBERS[(i + 3) % len(NUMBERS)]}
        if i % 3:
            task["annotations"] = [
                {"result": _result(i), "lead_time": [None, 12.5, 1e-05, 3][i % 4]},
                {"result": _result(i + 1), "lead_time": 2.25},
                {"result": [], "was_cancelled": True},
            ][: 1 + i % 3]
        if i % 4 == 0:
            task["predictions"] = [
                {"result": _result(i), "score": [None, 0.25, 1e-06][i % 3], "model_version": "v/1"},
                {"result": [], "model_version": "v0"},
            ][: 1 + i % 8 // 4]
        out.append(task)
    return out


def test_rows_are_the_bytes_of_the_task_dicts(db: Database) -> None:
    with db.writer() as s:
        pid = create_project(s, ADMIN, {"title": "P", "label_config": CONFIG}).id
        body = json.dumps(_tasks(), ensure_ascii=False).encode()
        imports.import_tasks(s, ADMIN, pid, files=[imports.ImportSource("tasks.json", io.BytesIO(body))])
        annotator = users.create_user(s, None, email="ann@example.com", password="annotator1")
        other = users.create_user(s, None, email="other@example.com", password="annotator2")
        members.add_member(s, ADMIN, pid, {"user": annotator.id, "role": "annotator"})
        anns = list(s.scalars(select(Annotation).where(Annotation.project_id == pid).order_by(Annotation.id)))
        for n, ann in enumerate(anns):
            ann.review_status = [None, "accepted", "rejected"][n % 3]
            ann.completed_by = [annotator.id, other.id, None][n % 3 - 1] if n % 2 else annotator.id
        for n, task in enumerate(s.scalars(select(Task).where(Task.project_id == pid).order_by(Task.id))):
            task.agreement = [None, 0.5, 1.0, 1 / 3][n % 4]
            task.extra_overlap = n % 3
        s.get(Project, pid).settings = {"maximum_annotations": 2, "overlap_cohort_percentage": 50}  # type: ignore[union-attr]
        s.commit()
    member = Actor(user_id=annotator.id, email="ann@example.com")
    queries = [None, {"ordering": ["-tasks:data.text"]}, {"ordering": ["tasks:total_annotations"]}]
    for actor in (ADMIN, member):
        for query in queries:
            with db.reader() as s:
                page = tasks.list_tasks(s, actor, pid, page=1, page_size=100, full=False, query=query)
                project, role = get_project(s, actor, pid, "tasks.view")
                found = {t.id: t for t in s.scalars(select(Task).where(Task.project_id == pid))}
                ids = [json.loads(text)["id"] for text in page.tasks]
                assert len(ids) == 30
                shaped = tasks.shape_tasks(s, actor, role, project, [found[i] for i in ids], full=False)
                assert page.tasks == [encode_compact(d) for d in shaped], (actor, query)
            rows = [json.loads(text) for text in page.tasks]
            assert any(r["annotations_results"] and r["completed_at"] for r in rows)
            assert any(r["predictions_score"] for r in rows) and any(r["reviews_rejected"] for r in rows)
            if actor is member:
                assert {a for r in rows for a in r["annotators"]} == {annotator.id}
                assert all(r["agreement"] is None for r in rows)
            else:
                assert {a for r in rows for a in r["annotators"]} == {annotator.id, other.id}
                assert any(r["agreement"] for r in rows)
