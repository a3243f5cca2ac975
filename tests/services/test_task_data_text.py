"""`Task.data_text`: on PostgreSQL an import keeps the text of each task's `data` beside the `jsonb`, and the
export copies it; whatever updates `data` forgets it (a trigger), so an export never shows replaced data.
SQLite leaves the column empty: its `data` is that text already."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy import select, text

from tessera.db.engine import Database
from tessera.db.tables import Project, Task
from tessera.services import exports, imports, tasks
from tessera.services.actors import Actor
from tessera.services.projects import create_project

CONFIG = '<View><Text name="text" value="$text"/></View>'
ACTOR = Actor.system()
# keys out of `jsonb`'s order (it sorts them by length), a float orjson and `json` spell alike, a "/" and a
# character beyond ASCII: the kept text is the import's compact text, as SQLite stores it
LINES = ['{"text": "a/b", "zz": 0.5, "b": "é"}', '{"text": "two", "n": 1e-07}']


def _import(db: Database) -> int:
    with db.writer() as s:
        pid = create_project(s, ACTOR, {"title": "P", "label_config": CONFIG}).id
        body = "\n".join(LINES).encode()
        imports.import_tasks(s, ACTOR, pid, files=[imports.ImportSource("t.jsonl", io.BytesIO(body))])
        s.commit()
    return pid


def _kept(db: Database, pid: int) -> list[str | None]:
    with db.reader() as s:
        query = select(Task.data_text).where(Task.project_id == pid).order_by(Task.id)
        return list(s.execute(query).scalars())


def _exported(db: Database, pid: int, tmp_path: Path) -> list[dict]:
    with db.reader() as s:
        project = s.get(Project, pid)
        assert project is not None
        exports.write_export(s, project, "JSONL", tmp_path / "out.jsonl")
    return [json.loads(line)["data"] for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]


def _data_bytes(tmp_path: Path) -> list[bytes]:
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    return [line[line.index(b'"data":') + 7 : line.index(b',"meta":')] for line in lines]


def test_an_import_keeps_the_text_of_data_on_postgresql_alone(db: Database, tmp_path: Path) -> None:
    pid = _import(db)
    compact = [json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) for line in LINES]
    assert _kept(db, pid) == ([None, None] if db.is_sqlite else compact)
    assert _exported(db, pid, tmp_path) == [json.loads(line) for line in LINES]
    # the same bytes on both databases: the stored text on SQLite, the kept text on PostgreSQL ("/" escaped and
    # the exponent spelled as Label Studio's ujson writes them)
    assert _data_bytes(tmp_path) == [b'{"text":"a\\/b","zz":0.5,"b":"\xc3\xa9"}', b'{"text":"two","n":1e-7}']


def test_an_update_of_data_forgets_the_kept_text_and_the_export_shows_the_new_data(
    db: Database, tmp_path: Path
) -> None:
    pid = _import(db)
    with db.reader() as s:
        first, second = s.execute(select(Task.id).where(Task.project_id == pid).order_by(Task.id)).scalars()
    with db.writer() as s:
        tasks.update_task(s, ACTOR, first, {"meta": {"seen": True}})  # `data` untouched: its text is kept
        s.commit()
    assert (_kept(db, pid)[0] is None) == db.is_sqlite
    with db.writer() as s:
        tasks.update_task(s, ACTOR, first, {"data": {"text": "new"}})
        s.execute(text("UPDATE tasks SET data = :d WHERE id = :id"), {"d": '{"text": "by hand"}', "id": second})
        s.commit()
    assert _kept(db, pid) == [None, None]
    assert _exported(db, pid, tmp_path) == [{"text": "new"}, {"text": "by hand"}]
