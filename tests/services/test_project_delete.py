"""Deleting a project deletes its tasks and all that hangs on them, on both databases (PostgreSQL has no
foreign key from tasks to projects to cascade, migration 0012), and waits for a writer of its tasks."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import exc, func, select, text

from tessera.db.engine import Database
from tessera.db.tables import Annotation, ImportRecord, Prediction, Project, Task
from tessera.domain.errors import NotFound
from tessera.services import imports
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.projects import create_project, delete_project

CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>'
ACTOR = Actor.system()
RESULT = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]


def _project_with_tasks(db: Database, title: str) -> int:
    tasks = [
        {"data": {"text": f"t{i}"}, "annotations": [{"result": RESULT}], "predictions": [{"result": RESULT}]}
        for i in range(5)
    ]
    with db.writer() as s:
        pid = create_project(s, ACTOR, {"title": title, "label_config": CONFIG}).id
        source = imports.ImportSource("t.json", io.BytesIO(json.dumps(tasks).encode()))
        imports.import_tasks(s, ACTOR, pid, files=[source])
        s.commit()
    return pid


def _counts(db: Database, pid: int) -> list[int]:
    with db.reader() as s:
        return [
            s.scalar(select(func.count()).select_from(model).where(model.project_id == pid)) or 0
            for model in (Task, Annotation, Prediction, ImportRecord)
        ]


def test_a_deleted_project_takes_its_tasks_and_what_hangs_on_them(db: Database) -> None:
    gone, kept = _project_with_tasks(db, "gone"), _project_with_tasks(db, "kept")
    assert _counts(db, gone) == [5, 5, 5, 1]
    with db.writer() as s:
        delete_project(s, ACTOR, gone)
        s.commit()
    with db.reader() as s:
        assert s.get(Project, gone) is None
        orphans = s.scalar(select(func.count()).select_from(Task).where(~Task.project_id.in_(select(Project.id))))
    assert orphans == 0
    assert _counts(db, gone) == [0, 0, 0, 0]
    assert _counts(db, kept) == [5, 5, 5, 1]


def test_a_delete_waits_for_a_writer_of_the_projects_tasks_and_then_a_writer_finds_no_project(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite runs one writer at a time")
    pid = _project_with_tasks(db, "p")
    with db.writer() as writer, db.writer() as deleter:
        get_project(writer, ACTOR, pid, "tasks.create", for_update=True)  # as an import holds it
        deleter.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(exc.OperationalError, match="lock timeout"):
            delete_project(deleter, ACTOR, pid)
        deleter.rollback()
        writer.rollback()
        delete_project(deleter, ACTOR, pid)
        deleter.commit()
        with pytest.raises(NotFound):
            get_project(writer, ACTOR, pid, "tasks.create", for_update=True)
