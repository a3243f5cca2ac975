"""On PostgreSQL the JSON writers' annotation and prediction lines are made by the server
(`export_server_lines`): the same bytes as `export_lines` makes from the rows' values in Python (as it does on
SQLite, and for Parquet), for strings that need escaping, floats in every spelling, nulls, flags, and the
export's filters on annotations."""

from __future__ import annotations

import io
import json
from functools import partial

import pytest
from sqlalchemy import select

from tessera.db.engine import Database
from tessera.db.raw_rows import row_reader
from tessera.db.tables import Annotation
from tessera.io.ls_json import ujson_number
from tessera.services import export_lines, export_text, imports
from tessera.services.actors import Actor
from tessera.services.projects import create_project

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices>
</View>"""
ACTOR = Actor.system()
STRINGS = ['q" bs\\ /', "tab\t nl\n \x01 \x7f", "é 漢字 😀 \u2028", "", None]
FLOATS = [3.0, 12.5, 1e-05, 1.5e-07, -0.0, 123456789.125, 1e16, 2.5e300, 7e-300, 0.1, None]


def _project(db: Database) -> int:
    tasks = []
    for i in range(len(FLOATS) * 2):
        result = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]
        annotation = {"result": result, "lead_time": FLOATS[i % len(FLOATS)], "was_cancelled": i % 3 == 0}
        annotation["ground_truth"] = i % 4 == 0
        prediction = {"result": result, "score": FLOATS[(i + 1) % len(FLOATS)], "model_version": STRINGS[i % 4]}
        tasks.append({"data": {"text": f"t{i}"}, "annotations": [annotation], "predictions": [prediction]})
    with db.writer() as s:
        pid = create_project(s, ACTOR, {"title": "P", "label_config": CONFIG}).id
        body = json.dumps(tasks).encode()
        imports.import_tasks(s, ACTOR, pid, files=[imports.ImportSource("tasks.json", io.BytesIO(body))])
        for k, ann in enumerate(s.scalars(select(Annotation).where(Annotation.project_id == pid))):
            ann.last_action, ann.review_status = STRINGS[k % len(STRINGS)], STRINGS[(k + 1) % len(STRINGS)]
            ann.unique_id = None if k % 2 else f"u{k} {STRINGS[k % 3]}"
            ann.presentation = {"w": FLOATS[k % len(FLOATS)]} if k % 3 else None
        s.commit()
    return pid


def _lines(db: Database, pid: int, *, server: bool, where: object = None) -> list[bytes]:
    """Every annotation's and prediction's line, made by the server or in Python from its values."""
    stamp = export_lines.ByteStamps()
    columns = export_lines.server_line_columns() if server else {}
    queries = export_text.export_queries(
        pid, ids=None, only_labeled=False, annotation_where=where, json_as=None, stamps_as_text=True, **columns
    )
    made, stored = export_lines._server_line_bytes, export_lines._stored_line_bytes
    annotation = made if server else export_lines._annotation_line(stored, stamp, ujson_number)
    prediction = made if server else export_lines._prediction_line(stored, stamp, ujson_number)
    out: list[bytes] = []
    with db.reader() as s:
        conn = s.connection()
        reader = partial(row_reader, text_bytes=True)
        for _tasks, anns, preds in export_text.task_batches(conn, queries, annotation, prediction, reader):
            out += [line for lines in anns.values() for line in lines]
            out += [line for lines in preds.values() for line in lines]
    return out


def test_the_server_makes_the_lines_python_makes(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite's lines are made in Python")
    pid = _project(db)
    python = _lines(db, pid, server=False)
    assert len(python) == len(FLOATS) * 4
    assert _lines(db, pid, server=True) == python
    written = b"".join(python)
    assert b'"lead_time":3.0,' in written
    assert b'"lead_time":1e-5,' in written
    assert b'"review_status":"q\\" bs\\\\ /"' in written
    ground_truth = Annotation.ground_truth.is_(True)
    python = _lines(db, pid, server=False, where=ground_truth)
    assert 0 < len(python) < len(FLOATS) * 4
    assert _lines(db, pid, server=True, where=ground_truth) == python
