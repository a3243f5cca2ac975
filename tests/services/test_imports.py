"""`import_tasks` through its batches: on PostgreSQL the tasks of many batches go through one open COPY, so
a refusal after batches were sent must still leave nothing, and annotations that need task ids (and the
project's members) must find the COPY closed first. The same tests run on SQLite."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from tessera.db.bulk import RowStream, driver_value
from tessera.db.engine import Database
from tessera.db.tables import Annotation, ImportRecord, Project, Task, utcnow
from tessera.domain.errors import ImportFormatError, InvalidInput
from tessera.services import exports, imports, users
from tessera.services.actors import Actor
from tessera.services.projects import create_project

pytestmark = pytest.mark.timeout(120)  # a COPY left open makes the rollback wait forever

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text"><Choice value="ham"/><Choice value="spam"/></Choices>
</View>"""
RESULT = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["spam"]}}]
ACTOR = Actor.system()


def project(db: Database) -> int:
    with db.writer() as s:
        pid = create_project(s, ACTOR, {"title": "P", "label_config": CONFIG}).id
        s.commit()
    return pid


def jsonl(items: list[dict]) -> imports.ImportSource:
    text = "".join(json.dumps(item) + "\n" for item in items)
    return imports.ImportSource("tasks.jsonl", io.BytesIO(text.encode()))


def run(db: Database, pid: int, items: list[dict]) -> imports.ImportSummary:
    with db.writer() as s:
        try:
            summary = imports.import_tasks(s, ACTOR, pid, files=[jsonl(items)], keep_ids=False)
        except BaseException:
            s.rollback()
            raise
        s.commit()
    return summary


def count(db: Database, table: type, pid: int) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(table).where(table.project_id == pid)) or 0


MANY = 3 * imports.BATCH + 17  # several batches sent before the end


def test_a_bad_row_after_several_batches_leaves_nothing(db: Database) -> None:
    pid = project(db)
    items = [{"text": f"t{i}"} for i in range(MANY)] + [{"other": "no text"}] + [{"text": "after"}]
    with pytest.raises(InvalidInput) as refused:
        run(db, pid, items)
    assert f"tasks.jsonl, line {MANY + 1}:" in refused.value.detail
    assert count(db, Task, pid) == 0
    assert run(db, pid, items[:5]).task_count == 5  # the connection was left usable
    assert count(db, Task, pid) == 5


def test_a_broken_file_after_several_batches_leaves_nothing(db: Database) -> None:
    pid = project(db)
    text = "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(MANY)) + '{"text": "cut'
    with db.writer() as s:
        with pytest.raises(InvalidInput):
            imports.import_tasks(s, ACTOR, pid, files=[imports.ImportSource("t.jsonl", io.BytesIO(text.encode()))])
        s.rollback()
    assert count(db, Task, pid) == 0


def test_annotated_rows_after_plain_batches_get_their_own_task(db: Database) -> None:
    pid = project(db)
    plain = [{"text": f"t{i}"} for i in range(MANY)]
    annotated = [{"data": {"text": f"a{i}"}, "annotations": [{"result": RESULT}]} for i in range(5)]
    summary = run(db, pid, [*plain, *annotated, {"text": "last"}])
    assert (summary.task_count, summary.annotation_count) == (MANY + 6, 5)
    with db.reader() as s:
        rows = s.execute(select(Task.data, Task.total_annotations).join(Annotation).where(Task.project_id == pid))
        assert sorted(data["text"] for data, _total in rows) == [f"a{i}" for i in range(5)]
    assert count(db, Task, pid) == MANY + 6


def test_a_number_beyond_a_double_after_several_batches_leaves_nothing(db: Database) -> None:
    """1e400 would be Infinity: invalid JSON text in SQLite, refused by PostgreSQL's JSONB. It is refused while
    reading, with its line, after whole batches were written, and the import leaves nothing behind."""
    pid = project(db)
    items_text = "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(MANY)) + '{"text": "x", "n": 1e400}\n'
    with db.writer() as s:
        with pytest.raises(ImportFormatError) as refused:
            source = imports.ImportSource("t.jsonl", io.BytesIO(items_text.encode()))
            imports.import_tasks(s, ACTOR, pid, files=[source])
        s.rollback()
    assert refused.value.line == MANY + 1 and "1e400 is beyond the range of a double" in str(refused.value)
    assert count(db, Task, pid) == 0


SMALL_FLOATS = '{"text": "t%d", "p": 0.00001, "q": [1e-7, 6.06e-05, 0.5], "r": {"s": -2.5e-9}}'


def test_floats_are_stored_in_one_spelling_whichever_parser_read_them(db: Database, tmp_path: Path) -> None:
    """A short JSONL line is parsed by orjson, a long one and a JSON file by `json`: the stored text is
    `json`'s (`1e-05`, not orjson's `0.00001`), so the export has the same bytes for all three, spelled as
    Label Studio's ujson does: on SQLite from the stored text, on PostgreSQL from the text the import kept
    beside the `jsonb` (`Task.data_text`)."""
    pid = project(db)
    short = (SMALL_FLOATS % 1).encode()
    long_line = (SMALL_FLOATS % 2)[:-1].encode() + b', "pad": "' + b"x" * 70_000 + b'"}'
    as_json = b"[" + (SMALL_FLOATS % 3).encode() + b"]"
    sources = [
        imports.ImportSource("short.jsonl", io.BytesIO(short + b"\n")),
        imports.ImportSource("long.jsonl", io.BytesIO(long_line + b"\n")),
        imports.ImportSource("tasks.json", io.BytesIO(as_json)),
    ]
    with db.writer() as s:
        imports.import_tasks(s, ACTOR, pid, files=sources)
        s.commit()
    with db.reader() as s:
        written = exports.write_export(s, s.get(Project, pid), "JSONL", tmp_path / "out.jsonl")
    assert written.filename.endswith(".jsonl")
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    numbers = [line[line.index(b'"p"') : line.index(b"}", line.index(b'"p"'))] for line in lines]
    assert numbers == [b'"p":1e-5,"q":[1e-7,6.06e-5,0.5],"r":{"s":-2.5e-9'] * 3, numbers


def test_a_body_import_returns_every_task_id_in_order(db: Database) -> None:
    """The ids are read back once at the end, plus the batches whose annotations need them earlier: the
    caller still gets every id, in the body's order, once."""
    pid = project(db)
    plain = [{"text": f"t{i}"} for i in range(MANY)]
    annotated = [{"data": {"text": f"a{i}"}, "annotations": [{"result": RESULT}]} for i in range(3)]
    body = [*plain, *annotated, *plain[:5]]
    with db.writer() as s:
        summary = imports.import_tasks(s, ACTOR, pid, body=body)
        s.commit()
    with db.reader() as s:
        stored = list(s.execute(select(Task.id, Task.data).where(Task.project_id == pid).order_by(Task.inner_id)))
    assert summary.task_ids == [task_id for task_id, _data in stored]
    assert [data for _id, data in stored] == body[:MANY] + [a["data"] for a in annotated] + plain[:5]


def test_imported_tasks_are_updated_by_nobody(db: Database) -> None:
    """An import is no person's edit of a task: `updated_by` stays empty, as on Label Studio's imported tasks,
    whoever imported them; the import record names who did."""
    with db.writer() as s:
        user = users.create_user(s, None, email="importer@example.com", password="importer-password-1", is_admin=True)
        s.commit()
        importer = Actor(user_id=user.id, email=user.email, is_admin=True)
    pid = project(db)
    with db.writer() as s:
        imports.import_tasks(s, importer, pid, body=[{"text": f"t{i}"} for i in range(3)])
        s.commit()
    with db.reader() as s:
        assert list(s.scalars(select(Task.updated_by).where(Task.project_id == pid))) == [None] * 3
        record = s.scalar(select(ImportRecord).where(ImportRecord.project_id == pid))
        assert record is not None and record.created_by == user.id  # who imported is on the import record


def test_a_database_error_in_a_sent_batch_is_raised_and_leaves_nothing(db: Database) -> None:
    """Batches are inserted while the next ones are read (a COPY on PostgreSQL, a thread on SQLite): an error
    the database raises for an earlier batch still reaches the caller, at the latest when the stream closes."""
    pid = project(db)
    with db.writer() as s:
        conn = s.connection()
        stamp = driver_value(conn, Task.__table__.c.created_at, utcnow())
        flag = driver_value(conn, Task.__table__.c.is_labeled, False)

        def row(inner: int) -> tuple:
            return (pid, inner, '{"text":"t"}', "{}", None, inner, 0, 0, 0, flag, stamp, stamp)

        stream = RowStream(conn, Task.__table__, imports.TASK_COLUMNS)
        stream.write([row(i) for i in range(1, imports.BATCH + 1)])
        with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
            stream.write([row(1)])  # the same inner id again: the unique constraint refuses it
            for i in range(50):  # by a later write, or else the close
                stream.write([row(imports.BATCH + 2 + i)])
            stream.close()
        stream.abort(RuntimeError("given up"))
        s.rollback()
    assert count(db, Task, pid) == 0
