"""The JSON writers' path (JSON, JSONL, Parquet, Hugging Face): each task as the dict of Label Studio's JSON
export whose `data`, `meta`, `annotations` and `predictions` are already JSON text (`RawJSON`), which the
writers copy. Rows come from the driver's cursor as plain tuples (no ORM objects, no SQLAlchemy row
processing), and each annotation and prediction is encoded once, with its `result` text copied in.

The text is the text `encode_compact` gives for the decoded values (`tests/services/test_export_text.py`
checks it against `iter_export_tasks` without `raw_json`): on SQLite the stored text as it is (the engine
writes JSON compact and unescaped, see `db.engine`); on PostgreSQL `jsonb` text, which has a space after
":" and ",", made compact (`recompact`). Key order and fields follow `ls_shapes.annotation_dict` and
`prediction_dict`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Select, String, Text, bindparam, cast, func, select

from tessera.db.raw_rows import Rows, row_reader
from tessera.db.tables import Annotation, Prediction, Task
from tessera.io.ls_json import RawJSON, encode_task, raw_list, recompact
from tessera.services.ls_shapes import export_task, iso

BATCH = 5000
_EMPTY = raw_list([])
_ZERO = RawJSON("0.0")  # `json` spells 0.0 so
_ANNOTATION = Annotation.__table__.c
_PREDICTION = Prediction.__table__.c
_TASK = Task.__table__.c
T = TypeVar("T")


class Stamps(dict[Any, str | None]):
    """`iso` of the timestamps as the driver gives them (a datetime, or SQLite's text), remembered: the rows
    of one import share theirs."""

    def __missing__(self, at: Any) -> str | None:
        if len(self) > 10_000:
            self.clear()
        text = self[at] = iso(datetime.fromisoformat(at) if type(at) is str else at)
        return text


def stored_text(dialect: str) -> Callable[[str | None], RawJSON | None]:
    """A JSON column read as text, as the export writes it."""
    make = RawJSON if dialect == "sqlite" else recompact

    def text(value: str | None) -> RawJSON | None:
        return None if value is None else make(value)

    return text


class Queries(NamedTuple):
    tasks: Select[Any]
    annotations: Select[Any]
    predictions: Select[Any]


# PostgreSQL's timestamps as the export writes them (`ls_shapes.iso`: UTC, microseconds, "Z"), made by the server
ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def iso_text(column: Any) -> Any:
    """A PostgreSQL timestamp column as `ISO_UTC` text, typed `varchar` (`raw_rows` gives `text` as bytes)."""
    return cast(func.to_char(func.timezone("UTC", column), ISO_UTC), String)


def export_queries(
    project_id: int,
    *,
    ids: list[int] | None,
    only_labeled: bool,
    annotation_where: Any,
    json_as: Any = Text,
    stamps_as_text: bool = False,
    kept_text: bool = False,
    annotation_columns: list[Any] | None = None,
    prediction_columns: list[Any] | None = None,
) -> Queries:
    """The export's three queries; `json_as` is the type the JSON columns are read as (`Text`, `LargeBinary`
    for SQLite's stored text as UTF-8 bytes, or None for the column's own type). With `stamps_as_text`
    (PostgreSQL), the timestamps come as the text `iso` makes of them (`ISO_UTC`), as `varchar`, not as
    datetimes. With `kept_text` (PostgreSQL), a task's `data` is the text its import kept (`Task.data_text`),
    or else `jsonb`'s text, as `text` whatever `json_as` says. `annotation_columns` and `prediction_columns`
    replace what the annotation and prediction queries select (the task id must come first)."""
    t, a, p = _TASK, _ANNOTATION, _PREDICTION

    def json(column: Any) -> Any:
        return column if json_as is None else cast(column, json_as)

    def stamp(column: Any) -> Any:
        return iso_text(column) if stamps_as_text else column

    data = func.coalesce(t.data_text, cast(t.data, Text)) if kept_text else json(t.data)
    task_query = select(
        t.id, data, json(t.meta), stamp(t.created_at), stamp(t.updated_at), t.inner_id,
        t.total_annotations, t.cancelled_annotations, t.total_predictions, t.project_id, t.updated_by,
    ).where(t.project_id == project_id)  # fmt: skip
    if ids is not None:
        task_query = task_query.where(t.id.in_(ids))
    if only_labeled:
        task_query = task_query.where((t.total_annotations + t.cancelled_annotations) > 0)
    annotation_query = select(*annotation_columns) if annotation_columns else select(
        a.task_id, a.id, json(a.result), a.completed_by, a.was_cancelled, a.ground_truth, stamp(a.created_at),
        stamp(a.updated_at), a.lead_time, a.import_id, a.last_action, a.project_id, a.updated_by,
        a.parent_prediction_id, a.parent_annotation_id, a.unique_id, a.version, a.review_status,
        json(a.presentation),
    )  # fmt: skip
    if annotation_where is not None:
        annotation_query = annotation_query.where(annotation_where)
    prediction_query = select(*prediction_columns) if prediction_columns else select(
        p.task_id, p.id, json(p.result), p.model_version, p.score, stamp(p.created_at), stamp(p.updated_at),
        p.project_id,
    )  # fmt: skip
    return Queries(task_query, annotation_query, prediction_query)


def task_batches(
    conn: Connection,
    queries: Queries,
    annotation: Callable[[tuple[Any, ...]], T],
    prediction: Callable[[tuple[Any, ...]], T],
    reader: Callable[[Connection, Select[Any]], Callable[[dict[str, Any]], Rows]] = row_reader,
    batch: int | None = None,
) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, list[T]], dict[int, list[T]]]]:
    """(task rows, annotations by task id, predictions by task id) a batch at a time (`batch` tasks, `BATCH`
    unless told), in task id order (keyset); each annotation and prediction row as `annotation` and
    `prediction` make it; `reader` makes what reads the rows of a query for given bounds (each query is
    built once, with the bounds as bind parameters)."""
    size = batch or BATCH
    t, a, p = _TASK, _ANNOTATION, _PREDICTION
    # The batch's id range, not an IN list (which costs more to build and parse than to run); rows of tasks in
    # the range but not in the batch (filtered out, or another project's) are skipped.
    # (Each with a value, which every batch replaces: a query is compiled with the values of its parameters.)
    in_range = (bindparam("first_id", 0), bindparam("last_id", 0))
    after = t.id > bindparam("after", 0)
    read_tasks = reader(conn, queries.tasks.where(after).order_by(t.id).limit(bindparam("size", size)))
    read_annotations = reader(conn, queries.annotations.where(a.task_id.between(*in_range)).order_by(a.id))
    read_predictions = reader(conn, queries.predictions.where(p.task_id.between(*in_range)).order_by(p.id))
    last = 0
    while True:
        tasks = read_tasks({"after": last})
        if not tasks:
            return
        last = tasks[-1][0]
        bounds = {"first_id": tasks[0][0], "last_id": last}
        wanted = {row[0] for row in tasks}
        anns: dict[int, list[T]] = {}
        for row in read_annotations(bounds):
            if row[0] in wanted:
                anns.setdefault(row[0], []).append(annotation(row))
        preds: dict[int, list[T]] = {}
        for row in read_predictions(bounds):
            if row[0] in wanted:
                preds.setdefault(row[0], []).append(prediction(row))
        yield tasks, anns, preds


def iter_task_texts(
    conn: Connection,
    project_id: int,
    *,
    ids: list[int] | None,
    only_labeled: bool,
    annotation_where: Any,
    drop_unannotated: bool,
    counter: list[int] | None,
) -> Iterator[dict[str, Any]]:
    """Tasks in id order, a batch at a time (keyset). `annotation_where` filters the annotations (None: all);
    `drop_unannotated` leaves out the tasks left without any."""
    text = stored_text(conn.dialect.name)
    stamp = Stamps()
    queries = export_queries(project_id, ids=ids, only_labeled=only_labeled, annotation_where=annotation_where)
    batches = task_batches(
        conn, queries, lambda row: _annotation(row, text, stamp), lambda row: _prediction(row, text, stamp)
    )
    for tasks, anns, preds in batches:
        for row in tasks:
            tid = row[0]
            task_anns = anns.get(tid)
            if drop_unannotated and task_anns is None:
                continue
            if counter is not None:
                counter[0] += 1
            task_preds = preds.get(tid)
            annotations = raw_list(task_anns) if task_anns else _EMPTY
            predictions = raw_list(task_preds) if task_preds else _EMPTY
            yield export_task(row, annotations, predictions, text(row[1]), text(row[2]), _EMPTY, stamp.__getitem__)


def _annotation(row: tuple[Any, ...], text: Callable[[str | None], Any], stamp: Stamps) -> str:
    """`encode_compact(annotation_dict(...))` of an annotation row of `annotation_query`."""
    task, aid, result, completed_by, cancelled, ground_truth, created, updated, lead_time, *rest = row
    import_id, action, project, updated_by, parent_prediction, parent_annotation, *rest = rest
    unique_id, version, review, presentation = rest
    return encode_task(
        {
            "id": aid,
            "result": text(result),
            "completed_by": completed_by,
            "was_cancelled": bool(cancelled),
            "ground_truth": bool(ground_truth),
            "created_at": stamp[created],
            "updated_at": stamp[updated],
            "draft_created_at": None,
            "lead_time": lead_time,
            "import_id": import_id,
            "last_action": action,
            "bulk_created": False,
            "task": task,
            "project": project,
            "updated_by": updated_by,
            "parent_prediction": parent_prediction,
            "parent_annotation": parent_annotation,
            "last_created_by": None,
            "unique_id": unique_id,
            "version": version,
            "review_status": review,
            "presentation": text(presentation),
        }
    )


def _prediction(row: tuple[Any, ...], text: Callable[[str | None], Any], stamp: Stamps) -> str:
    """`encode_compact(prediction_dict(...))` of a prediction row of `prediction_query`."""
    task, pid, result, model_version, score, created, updated, project = row
    return encode_task(
        {
            "id": pid,
            "result": text(result),
            "model_version": model_version,
            "score": score,
            "cluster": None,
            "neighbors": None,
            "mislabeling": _ZERO,
            "created_at": stamp[created],
            "updated_at": stamp[updated],
            "model": None,
            "model_run": None,
            "task": task,
            "project": project,
        }
    )
