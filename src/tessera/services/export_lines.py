"""The JSON and JSONL exports' path: each task as the UTF-8 bytes of its JSON, made in one `%`
format from the row's values and its annotations' and predictions' bytes, which are made the same way. The
stored JSON texts (`data`, `meta`, `result`, `presentation`) are copied, never decoded: on SQLite read as
bytes (`CAST(... AS BLOB)`), on PostgreSQL as the bytes of `jsonb`'s text (`raw_rows`), which the server
writes with a space after ":" and "," and numbers as `numeric` writes them ("0.00001", never "1e-05"). A
task's `data` on PostgreSQL is the text its import kept when there is one (`Task.data_text`: the compact
text SQLite would hold), since making `jsonb`'s text was most of the server's work. The `jsonb` texts are
left as the server spells them: making them compact cost a third of the Python work of a JSONL export of a
million tasks (an orjson parse and write of every value, 2026-11-29), and a reader decodes the same values
either way. The timestamps come as text made by the server.

On SQLite the bytes are `to_utf8(encode_task(task))` of the dicts `export_text.iter_task_texts` makes,
field for field in `ls_shapes`' order, with the exponents of numbers already written as ujson writes them
(the writers' "/" rewrite is all that is left); Parquet's columns keep `json`'s spelling. On PostgreSQL they
decode to the same values. `tests/services/test_export_text.py` checks the files against the decoded tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, LargeBinary

from tessera.db.raw_rows import row_reader
from tessera.db.tables import Annotation, Prediction
from tessera.io.ls_json import encode_scalar, ujson_exponents, ujson_number
from tessera.io.read_ahead import read_ahead
from tessera.services.export_server_lines import annotation_line, prediction_line
from tessera.services.export_text import Stamps, export_queries, iso_text, task_batches
from tessera.services.ls_shapes import iso

_TASK = (
    b'{"id":%d,"annotations":%b,"drafts":[],"predictions":%b,"data":%b,"meta":%b,"created_at":%b,'
    b'"updated_at":%b,"inner_id":%d,"total_annotations":%d,"cancelled_annotations":%d,"total_predictions":%d,'
    b'"comment_count":0,"unresolved_comment_count":0,"last_comment_updated_at":null,"project":%d,'
    b'"updated_by":%b,"comment_authors":[]}'
)
_ANNOTATION = (
    b'{"id":%d,"result":%b,"completed_by":%b,"was_cancelled":%b,"ground_truth":%b,"created_at":%b,'
    b'"updated_at":%b,"draft_created_at":null,"lead_time":%b,"import_id":%b,"last_action":%b,'
    b'"bulk_created":false,"task":%d,"project":%d,"updated_by":%b,"parent_prediction":%b,'
    b'"parent_annotation":%b,"last_created_by":null,"unique_id":%b,"version":%d,"review_status":%b,'
    b'"presentation":%b}'
)
_PREDICTION = (
    b'{"id":%d,"result":%b,"model_version":%b,"score":%b,"cluster":null,"neighbors":null,"mislabeling":0.0,'
    b'"created_at":%b,"updated_at":%b,"model":null,"model_run":null,"task":%d,"project":%d}'
)
_NULL = b"null"
_A = Annotation.__table__.c
_P = Prediction.__table__.c
# batches read ahead of the one being formatted: two keep the database busy while this thread catches up
READ_AHEAD = 2
# Parquet's batches of columns: half the JSON writers' (Arrow's copy of a batch, the row group it goes into and
# the batch read ahead are held at once)
COLUMN_BATCH = 2500
SCAN_CACHE_SIZE = -2048  # SQLite's cache_size while the export reads (negative: in kB, so 2 MB)
# `%d` only for the columns that are integers and NOT NULL (the driver gives an int); the others go through
# `_int` or `encode_scalar`.


class ByteStamps(dict[Any, bytes]):
    """The JSON string of a timestamp as the driver gives it (a datetime, or SQLite's text), remembered: the
    rows of one import share theirs."""

    def __missing__(self, at: Any) -> bytes:
        if len(self) > 10_000:
            self.clear()
        text = iso(datetime.fromisoformat(at) if type(at) is str else at)
        data = self[at] = _NULL if text is None else b'"%s"' % text.encode()
        return data


def _int(value: Any) -> bytes:
    """An integer column's value (`encode_scalar` for anything else)."""
    return b"%d" % value if type(value) is int else encode_scalar(value)


def iter_task_lines(
    conn: Connection,
    project_id: int,
    *,
    ids: list[int] | None,
    only_labeled: bool,
    annotation_where: Any,
    drop_unannotated: bool,
    counter: list[int] | None,
) -> Iterator[bytes]:
    """Each task's compact JSON as UTF-8 bytes, in id order. `annotation_where` filters the annotations (None:
    all); `drop_unannotated` leaves out the tasks left without any."""
    stamp = ByteStamps()
    json, batches = _byte_batches(conn, project_id, stamp, ids, only_labeled, annotation_where, lines=True)
    for tasks, anns, preds in batches:
        for tid, data, meta, created, updated, inner, total, cancelled, predicted, project, updated_by in tasks:
            task_anns = anns.get(tid)
            if task_anns is None and drop_unannotated:
                continue
            if counter is not None:
                counter[0] += 1
            task_preds = preds.get(tid)
            yield _TASK % (
                tid,
                b"[%b]" % b",".join(task_anns) if task_anns else b"[]",
                b"[%b]" % b",".join(task_preds) if task_preds else b"[]",
                json(data),
                json(meta),
                stamp[created],
                stamp[updated],
                inner,
                total,
                cancelled,
                predicted,
                project,
                _NULL if updated_by is None else _int(updated_by),
            )


def iter_task_columns(
    conn: Connection,
    project_id: int,
    *,
    ids: list[int] | None,
    only_labeled: bool,
    annotation_where: Any,
    drop_unannotated: bool,
    counter: list[int] | None,
) -> Iterator[dict[str, list[Any]]]:
    """The tasks a batch at a time as columns (Parquet's, `io.export_parquet.COLUMNS`), in id order: `data`,
    `meta`, `annotations` and `predictions` as the UTF-8 bytes of their JSON (the stored texts, see the
    module's doc), the times as ISO text, the rest as the driver gives them."""
    stamp = Stamps()
    _json, batches = _byte_batches(
        conn, project_id, ByteStamps(), ids, only_labeled, annotation_where, lines=False, batch=COLUMN_BATCH
    )
    for tasks, anns, preds in batches:
        if drop_unannotated:
            tasks = [row for row in tasks if row[0] in anns]
            if not tasks:
                continue
        if counter is not None:
            counter[0] += len(tasks)
        tids, data, meta, created, updated, inner, total, cancelled, predicted, project, updated_by = zip(
            *tasks, strict=True
        )
        yield {
            "id": list(tids),
            "inner_id": list(inner),
            "data": list(data),
            "meta": list(meta),
            "annotations": [b"[%b]" % b",".join(a) if (a := anns.get(tid)) else b"[]" for tid in tids],
            "predictions": [b"[%b]" % b",".join(p) if (p := preds.get(tid)) else b"[]" for tid in tids],
            "created_at": [stamp[at] for at in created],
            "updated_at": [stamp[at] for at in updated],
            "total_annotations": list(total),
            "cancelled_annotations": list(cancelled),
            "total_predictions": list(predicted),
            "project": list(project),
            "updated_by": list(updated_by),
        }


def _byte_batches(
    conn: Connection,
    project_id: int,
    stamp: ByteStamps,
    ids: list[int] | None,
    only_labeled: bool,
    annotation_where: Any,
    *,
    lines: bool,
    batch: int | None = None,
) -> tuple[Any, Iterator[Any]]:
    """The stored JSON's reader (the bytes as stored) and the batches of (task rows, annotation lines by
    task, prediction lines by task), read with `_scan` on a second thread `READ_AHEAD` batches ahead of the
    caller (`read_ahead`: the driver lets go of the GIL while the database works), the lines made on the
    caller's thread (`_formatted`), or for the JSON writers on PostgreSQL by the server
    (`export_server_lines`). For `lines` (the JSON writers), numbers with an exponent are written as ujson
    writes them, here at the source, so that the writers need not look for them; Parquet keeps `json`'s
    spelling. On PostgreSQL the `jsonb` and `text` columns come as bytes (`raw_rows`) and the timestamps as
    the server's text (`ISO_UTC`)."""
    sqlite = conn.dialect.name == "sqlite"
    # the JSON writers' exponents as ujson writes them: in the stored text on SQLite, and on PostgreSQL in the
    # text an import kept and the floats of the server's lines (`jsonb`'s text never has an exponent)
    json = _stored_line_bytes if lines else _stored_bytes
    reader = partial(row_reader, text_bytes=True)
    server_lines = lines and not sqlite
    queries = export_queries(
        project_id,
        ids=ids,
        only_labeled=only_labeled,
        annotation_where=annotation_where,
        json_as=LargeBinary if sqlite else None,
        stamps_as_text=not sqlite,
        kept_text=not sqlite,
        **(server_line_columns() if server_lines else {}),
    )
    if server_lines:
        batches = task_batches(conn, queries, _server_line_bytes, _server_line_bytes, reader, batch)
        return json, read_ahead(batches, READ_AHEAD, name="export-read-ahead")
    number = ujson_number if lines else encode_scalar
    annotation, prediction = _annotation_line(json, stamp, number), _prediction_line(json, stamp, number)
    batches = task_batches(conn, queries, _row, _row, reader, batch)
    ahead = read_ahead(_scan(conn, sqlite, batches), READ_AHEAD, name="export-read-ahead")
    return json, _formatted(ahead, annotation, prediction)


def server_line_columns() -> dict[str, list[Any]]:
    """`export_queries`' columns for the annotation and prediction lines made by PostgreSQL: (task id, line)."""
    return {
        "annotation_columns": [_A.task_id, annotation_line(_ANNOTATION, iso_text)],
        "prediction_columns": [_P.task_id, prediction_line(_PREDICTION, iso_text)],
    }


def _row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return row


def _server_line_bytes(row: tuple[Any, ...]) -> bytes:
    return ujson_exponents(row[1])


def _formatted(batches: Iterator[Any], annotation: Any, prediction: Any) -> Iterator[Any]:
    """The batches with their annotation and prediction rows made into lines, on this thread: the reading
    thread only reads, so the database is asked for the next batch as soon as there is room for it."""
    for tasks, anns, preds in batches:
        yield (
            tasks,
            {task: [annotation(row) for row in rows] for task, rows in anns.items()},
            {task: [prediction(row) for row in rows] for task, rows in preds.items()},
        )


def _scan(conn: Connection, sqlite: bool, batches: Iterator[Any]) -> Iterator[Any]:
    """The batches, each read on SQLite with a small page cache: one pass over the project gains nothing
    from the connection's 64 MB cache, which would only fill up (and stay full in the pool). The size is put
    back before each batch goes out, so the connection never leaves the export changed, even when the
    consumer stops early."""
    if not sqlite:
        yield from batches
        return
    size = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    while True:
        conn.exec_driver_sql(f"PRAGMA cache_size={SCAN_CACHE_SIZE}")
        try:
            batch = next(batches, None)
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size={size}")
        if batch is None:
            return
        yield batch


def _stored_bytes(value: bytes | None) -> bytes:
    return _NULL if value is None else value


def _stored_line_bytes(value: bytes | None) -> bytes:
    return _NULL if value is None else ujson_exponents(value)


def _annotation_line(json: Any, stamp: ByteStamps, number: Any) -> Any:
    def line(row: tuple[Any, ...]) -> bytes:
        task, aid, result, completed_by, cancelled, ground_truth, created, updated, lead_time, *rest = row
        import_id, action, project, updated_by, parent_prediction, parent_annotation, *rest = rest
        unique_id, version, review, presentation = rest
        return _ANNOTATION % (
            aid,
            json(result),
            _NULL if completed_by is None else _int(completed_by),
            b"true" if cancelled else b"false",
            b"true" if ground_truth else b"false",
            stamp[created],
            stamp[updated],
            _NULL if lead_time is None else number(lead_time),
            _NULL if import_id is None else _int(import_id),
            _NULL if action is None else encode_scalar(action),
            task,
            project,
            _NULL if updated_by is None else _int(updated_by),
            _NULL if parent_prediction is None else _int(parent_prediction),
            _NULL if parent_annotation is None else _int(parent_annotation),
            _NULL if unique_id is None else encode_scalar(unique_id),
            version,
            _NULL if review is None else encode_scalar(review),
            json(presentation),
        )

    return line


def _prediction_line(json: Any, stamp: ByteStamps, number: Any) -> Any:
    def line(row: tuple[Any, ...]) -> bytes:
        task, pid, result, model_version, score, created, updated, project = row
        return _PREDICTION % (
            pid,
            json(result),
            encode_scalar(model_version),
            _NULL if score is None else number(score),
            stamp[created],
            stamp[updated],
            task,
            project,
        )

    return line
