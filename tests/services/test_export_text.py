"""The JSON writers' path (`export_lines`: JSON text copied from the database) writes the very bytes the
decoded tasks encode to on SQLite, and on PostgreSQL the same values (its `jsonb` text is copied as the
server spells it): odd strings, floats in every spelling, integers beyond 64 bits, annotations with lead
times and presentations, predictions with scores, and the export filters."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tessera.db.engine import Database
from tessera.db.tables import Annotation, Project
from tessera.io import export_json, export_jsonl
from tessera.io.ls_json import dumps_compact
from tessera.services import export_lines, export_text, exports, imports
from tessera.services.actors import Actor
from tessera.services.exports import AnnotationFilter
from tessera.services.projects import create_project

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
</View>"""
ACTOR = Actor.system()
ODD = ["a/b </script>", "é 漢字 😀", "\u2028", 'tab\t nl\n q" bs\\ \x7f', "p = 3.9e-06", ":1e-05", ""]
JSON_COLUMNS = ("data", "meta", "annotations", "predictions")
NUMBERS = [0.1, 1e-05, 1.5e-07, 1e16, 123456789.125, 2**70, -(2**63), 0, -1, True, None]


def _span(i: int, text: str) -> list[dict]:
    value = {"start": 0, "end": 1, "text": text[:1], "labels": ["PER"], "score": NUMBERS[i % 6]}
    return [{"id": f"r{i}", "from_name": "label", "to_name": "text", "type": "labels", "value": value}]


def _tasks() -> list[dict]:
    tasks = []
    for i in range(40):
        text = ODD[i % len(ODD)] + str(i)
        # "l" holds an integer beyond 64 bits, so the import stores `data` with `json` (its orjson path may
        # spell a float differently, and SQLite keeps that spelling)
        task: dict = {"data": {"text": text, "n": NUMBERS[i % len(NUMBERS)], "l": NUMBERS}}
        if i % 2:
            task["meta"] = {"source": ODD[i % len(ODD)], "x": NUMBERS[(i + 3) % len(NUMBERS)]}
        if i % 3:
            task["annotations"] = [
                {"result": _span(i, text), "lead_time": [None, 12.5, 1e-05, 3][i % 4], "ground_truth": i % 5 == 0},
                {"result": [], "was_cancelled": True},
            ][: 1 + i % 2]
        if i % 4 == 0:
            prediction = {"result": _span(i + 1, text), "score": [None, 0.25, 1e-06][i % 3], "model_version": "v/1"}
            task["predictions"] = [prediction]
        tasks.append(task)
    return tasks


def _project(db: Database) -> int:
    with db.writer() as s:
        pid = create_project(s, ACTOR, {"title": "P", "label_config": CONFIG}).id
        text = json.dumps(_tasks(), ensure_ascii=False).encode()
        imports.import_tasks(s, ACTOR, pid, files=[imports.ImportSource("tasks.json", io.BytesIO(text))])
        s.commit()
    return pid


def _decoded_json(db: Database, pid: int, **filters: object) -> bytes:
    """The JSON export as the decoded tasks encode (`iter_export_tasks` without `raw_json`)."""
    with db.reader() as s:
        project = s.get(Project, pid)
        tasks = list(exports.iter_export_tasks(s, project, **filters))  # type: ignore[arg-type]
    return ("[" + ",".join(dumps_compact(t) for t in tasks) + "]").encode()


def _assert_same_json(db: Database, written: bytes, expected: bytes, filters: object) -> None:
    """The same bytes on SQLite; the same values on PostgreSQL."""
    if db.is_sqlite:
        assert written == expected, filters
    else:
        assert json.loads(written) == json.loads(expected), filters
        assert written != expected  # `jsonb`'s own text: the copy was not made compact after all


def _decoded_row(row: dict) -> dict:
    return {
        key: json.loads(value) if key in JSON_COLUMNS and value is not None else value for key, value in row.items()
    }


def test_the_json_and_jsonl_exports_equal_the_decoded_tasks(db: Database, tmp_path: Path) -> None:
    pid = _project(db)
    with db.writer() as s:  # a presentation and a review status on one annotation
        ann = s.query(Annotation).filter(Annotation.project_id == pid).order_by(Annotation.id).first()
        assert ann is not None
        ann.presentation, ann.review_status = {"order": [1, 0], "w": 0.5}, "accepted"
        s.commit()
    cases: list[dict] = [
        {},
        {"only_labeled": True},
        {"ids": [2, 5, 9, 12]},
        {"only_labeled": True, "annotations": AnnotationFilter(frozenset({"usual"}))},
        {"annotations": AnnotationFilter(reviewed="only")},
    ]
    for filters in cases:
        expected = _decoded_json(db, pid, **filters)
        with db.reader() as s:
            project = s.get(Project, pid)
            assert project is not None
            exports.write_export(s, project, "JSON", tmp_path / "out.json", **filters)
            exports.write_export(s, project, "JSONL", tmp_path / "out.jsonl", **filters)
        _assert_same_json(db, (tmp_path / "out.json").read_bytes(), expected, filters)
        lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
        _assert_same_json(db, b"[" + b",".join(lines) + b"]", expected, filters)


def test_the_sync_export_streams_the_same_bytes(db: Database, tmp_path: Path) -> None:
    pid = _project(db)
    for fmt in ("JSON", "JSONL"):
        with db.reader() as s:
            project = s.get(Project, pid)
            assert project is not None
            written = exports.write_export(s, project, fmt, tmp_path / "out", only_labeled=True)
            streamed = exports.sync_export(s, ACTOR, pid, tmp_path, fmt=fmt, ids=None, all_tasks=False)
            assert isinstance(streamed, exports.ExportStream)
            assert (streamed.filename, streamed.media_type) == (written.filename, written.media_type)
            assert b"".join(streamed.chunks) == (tmp_path / "out").read_bytes()
    assert not (tmp_path / "exports").exists()  # no file made


def test_the_parquet_export_equals_the_decoded_tasks(db: Database, tmp_path: Path) -> None:
    """Parquet's columns come from the rows (`iter_task_columns`), not task dicts: the same file."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow, imported on first use like the writers

    from tessera.io.export_parquet import write_parquet  # noqa: PLC0415

    pid = _project(db)
    cases: list[dict] = [
        {},
        {"only_labeled": True, "annotations": AnnotationFilter(frozenset({"usual"}))},
        {"ids": [2, 5, 9, 12]},
    ]
    for filters in cases:
        expected = io.BytesIO()
        with db.reader() as s:
            project = s.get(Project, pid)
            assert project is not None
            write_parquet(exports.iter_export_tasks(s, project, **filters), expected)
            written = exports.write_export(s, project, "PARQUET", tmp_path / "out.parquet", **filters)
        if db.is_sqlite:
            assert (tmp_path / "out.parquet").read_bytes() == expected.getvalue(), filters
        else:  # the JSON columns hold `jsonb`'s text: the same values
            got, want = pq.read_table(tmp_path / "out.parquet").to_pylist(), pq.read_table(expected).to_pylist()
            assert [_decoded_row(row) for row in got] == [_decoded_row(row) for row in want], filters
        assert written.task_count == pq.ParquetFile(tmp_path / "out.parquet").metadata.num_rows > 0


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-read-ahead"]


def test_an_export_stopped_early_ends_its_reading_thread_and_leaves_the_connection_as_it_was(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batches are read on a second thread (`read_ahead`); a consumer that stops after the first chunk (a
    client gone) ends that thread before it goes on, and the connection is usable and unchanged (on SQLite
    the page cache size the export lowers while it reads is put back)."""
    monkeypatch.setattr(export_text, "BATCH", 3)  # many batches from the 40 tasks
    monkeypatch.setattr(export_lines, "COLUMN_BATCH", 3)  # Parquet's
    for writer in (export_json, export_jsonl):
        monkeypatch.setattr(writer, "CHUNK_BYTES", 1)  # a chunk per task
    pid = _project(db)
    with db.reader() as s:
        conn = s.connection()
        sqlite = conn.dialect.name == "sqlite"
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one() if sqlite else None
        for fmt in ("JSON", "JSONL", "PARQUET"):
            project = s.get(Project, pid)
            assert project is not None
            if fmt == "PARQUET":
                tasks = exports.iter_export_tasks(s, project, columns=True)
            else:
                streamed = exports.sync_export(s, ACTOR, pid, tmp_path, fmt=fmt, ids=None, all_tasks=True)
                assert isinstance(streamed, exports.ExportStream)
                tasks = streamed.chunks
            assert next(tasks)
            assert _readers()  # reading ahead
            tasks.close()
            assert not _readers(), fmt
            if sqlite:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == before
            assert s.execute(select(func.count()).select_from(Annotation)).scalar_one() > 0
