"""The task list's rows (`GET /api/tasks` without `fields=all`, as the data manager asks) as JSON text.

A page of 100 tasks is read with Core selects of the columns it shows, never as ORM objects: the tasks from the
driver's cursor as plain tuples, with `data` and `meta` read as text and copied into the answer as they are
stored (`export_text.stored_text`: SQLite's text as it is, PostgreSQL's `jsonb` text made compact), unless the
project has a storage, whose references in `data` become signed links (`storage_links`). Annotations and
predictions are read for their summary columns only. Each task is encoded once, by orjson.

The text is `encode_compact(task_dict(task, full=False, ...))` of the same task: the same keys in the same
order (tests/services/test_task_rows.py compares them). Stored data written by orjson (imports of JSON
Lines) may spell a float as orjson does (`1e16` for `1e+16`): the same JSON value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Prediction, Project, Task
from tessera.domain.label_counts import labels_in
from tessera.io.json_values import decode
from tessera.io.ls_json import RawJSON, encode_compact, encode_task
from tessera.services.export_text import Stamps, stored_text
from tessera.services.ls_shapes import iso
from tessera.services.storage_links import link_resolver, text_may_hold_reference

_T, _A, _P = Task.__table__.c, Annotation.__table__.c, Prediction.__table__.c
_EMPTY = RawJSON("[]")

COLUMNS = (
    _T.id, cast(_T.data, Text), cast(_T.meta, Text), _T.inner_id, _T.cancelled_annotations, _T.total_annotations,
    _T.total_predictions, _T.agreement, _T.created_at, _T.updated_at, _T.is_labeled, _T.project_id, _T.extra_overlap,
)  # what a row shows, in the order `task_row_texts` reads them; the page's query may select them itself  # fmt: skip
_TASKS = select(*COLUMNS).where(_T.id.in_(bindparam("ids", expanding=True)), _T.project_id == bindparam("project_id"))
_ANNOTATIONS = select(
    _A.task_id, _A.id, _A.completed_by, _A.was_cancelled, _A.created_at, _A.lead_time, _A.review_status,
    cast(_A.result, Text),
).where(_A.task_id.in_(bindparam("ids", expanding=True))).order_by(_A.id)  # fmt: skip
_AUTHORED = _ANNOTATIONS.where(_A.completed_by == bindparam("author"))
_PREDICTIONS = (
    select(_P.task_id, _P.id, _P.model_version, _P.score)
    .where(_P.task_id.in_(bindparam("ids", expanding=True)))
    .order_by(_P.id)
)  # built once, with the page's ids bound at each call: building `IN` with 100 literals costs more than running it


def task_rows(session: Session, project_id: int, ids: list[int]) -> list[Any]:
    """The `COLUMNS` of the tasks `ids` of the project, in that order (other projects' tasks are left out)."""
    if not ids:
        return []
    found = session.connection().execute(_TASKS, {"ids": ids, "project_id": project_id}).cursor.fetchall()
    by_id = {row[0]: row for row in found}
    return [by_id[i] for i in ids if i in by_id]


def task_row_texts(
    session: Session,
    project: Project,
    tasks: list[Any],
    *,
    author: int | None,
    sees_agreement: bool,
    overlap: Callable[[int, int], int],
) -> list[RawJSON]:
    """Each task's JSON text; `tasks` are rows of `COLUMNS` (a datetime or SQLite's text for a time).
    `author` set: only that user's annotations count (an annotator who may not see the others').
    `overlap(inner_id, extra_overlap)` is the annotations a task wants. Annotations and predictions are asked
    only for the tasks whose counters say they have some (the counters change in the transaction that adds or
    removes one)."""
    if not tasks:
        return []
    conn = session.connection()
    anns: dict[int, list[Any]] = {}
    annotated = [row[0] for row in tasks if row[4] or row[5]]
    if annotated:
        if author is None:
            found = conn.execute(_ANNOTATIONS, {"ids": annotated})
        else:
            found = conn.execute(_AUTHORED, {"ids": annotated, "author": author})
        for row in found:
            anns.setdefault(row[0], []).append(row)
    preds: dict[int, list[Any]] = {}
    predicted = [row[0] for row in tasks if row[6]]
    if predicted:
        for row in conn.execute(_PREDICTIONS, {"ids": predicted}):
            preds.setdefault(row[0], []).append(row)
    text = stored_text(conn.dialect.name)
    resolvers: list[Callable[[Any], Any] | None] = []  # the project's, read when a task first needs it

    def data_of(stored: str) -> RawJSON | None:
        if stored is None or not text_may_hold_reference(stored):
            return text(stored)
        if not resolvers:
            resolvers.append(link_resolver(session, project.id))
        resolve = resolvers[0]
        return text(stored) if resolve is None else RawJSON(encode_compact(resolve(decode(stored)[0])))

    stamp = Stamps()
    out = []
    for row in tasks:
        tid, data, meta, inner, cancelled, total, predicted, agreement, created, updated, labeled, pid, extra = row
        task_anns = anns.get(tid, ())
        task_preds = preds.get(tid, ())
        task = {
            "id": tid,
            "annotators": _int_list(sorted({a[2] for a in task_anns if a[2] is not None})),
            "inner_id": inner,
            "cancelled_annotations": cancelled,
            "total_annotations": total,
            "total_predictions": predicted,
        }
        task.update(_annotation_summary(task_anns) if task_anns else _NO_ANNOTATIONS)
        task["agreement"] = agreement if sees_agreement else None
        task["annotations_results"] = (
            ", ".join(sorted(set().union(*(labels_in(decode(a[7])[0]) for a in task_anns)))) if task_anns else ""
        )
        task["predictions_results"] = ""
        scores = [p[3] for p in task_preds if p[3] is not None]
        task["predictions_score"] = sum(scores) / len(task_preds) if scores else None
        task["file_upload"] = None
        task["storage_filename"] = None
        task["annotations_ids"] = ", ".join([str(a[1]) for a in task_anns])
        task["predictions_model_versions"] = ", ".join(sorted({p[2] for p in task_preds}))
        leads = [a[5] for a in task_anns if a[5] is not None]
        task["avg_lead_time"] = sum(leads) / len(leads) if leads else None
        task["draft_exists"] = False
        task["updated_by"] = _EMPTY
        task["data"] = data_of(data)
        task["meta"] = text(meta)
        task["created_at"] = stamp[created]
        task["updated_at"] = stamp[updated]
        task["is_labeled"] = bool(labeled)
        task["overlap"] = overlap(inner, extra)
        task["comment_count"] = 0
        task["unresolved_comment_count"] = 0
        task["last_comment_updated_at"] = None
        task["project"] = pid
        task["comment_authors"] = _EMPTY
        out.append(RawJSON(encode_task(task)))
    return out


_NO_ANNOTATIONS = {"completed_at": None, "reviews_accepted": 0, "reviews_rejected": 0, "reviews_pending": 0}


def _annotation_summary(anns: Any) -> dict[str, Any]:
    completed = [a[4] for a in anns if not a[3]]
    return {
        "completed_at": iso(max(completed)) if completed else None,
        "reviews_accepted": sum(1 for a in anns if a[6] == "accepted"),
        "reviews_rejected": sum(1 for a in anns if a[6] == "rejected"),
        "reviews_pending": sum(1 for a in anns if a[6] is None and not a[3]),
    }


def _int_list(values: list[int]) -> RawJSON:
    return RawJSON("[" + ",".join(map(str, values)) + "]") if values else _EMPTY
