"""A text filter on a data field (`DataContains`) finds the same tasks whether or not SQLite first tests the
stored JSON text: odd strings, escapes, numbers, booleans, nested values, lists, case, and every kind of text
sought, on both databases (PostgreSQL never takes the shortcut)."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from tessera.db.engine import Database
from tessera.db.expressions import DataContains, DataField, raw_text_may_hold
from tessera.db.tables import Task
from tessera.services import imports
from tessera.services.actors import Actor
from tessera.services.projects import create_project

CONFIG = '<View><Text name="text" value="$text"/></View>'
ADMIN = Actor.system()
VALUES = [
    "Re: Linux kernel", "RE: linux", "path/to/file", 'say "hi"', "back\\slash", "tab\there", "line\nbreak",
    "é Élan 漢字", "\u2028sep", "50% off_now", "a,b", "x:1", 0.1, 1e16, 10**20, -3, 0, True, False, None,
    {"k": "Linux", "n": 1.5}, ["linux", 2, {"deep": "re: x"}], [], {}, "",
]  # fmt: skip
TERMS = [
    "linux", "LINUX", "re:", "Re: L", "e", "1", "1.0", "0e+16", "true", "false", "null", "k", '"k"', "deep",
    "/to/", "path", '"hi"', "hi", "\\", "slash", "\t", "t", "n", "break", "é", "É", "漢", "50%", "_", "%",
    "a,b", ",", "x:1", ":", "[", "{", "}", " ", "-3", "sep",
]  # fmt: skip


def test_the_stored_text_shortcut_finds_what_the_field_test_finds(db: Database) -> None:
    tasks = [{"text": "t", "v": v} for v in VALUES] + [{"text": "t", "v": {"w": v}} for v in VALUES[:12]]
    with db.writer() as s:
        pid = create_project(s, ADMIN, {"title": "P", "label_config": CONFIG}).id
        body = json.dumps(tasks, ensure_ascii=False).encode()
        imports.import_tasks(s, ADMIN, pid, files=[imports.ImportSource("tasks.json", io.BytesIO(body))])
        s.commit()
    shortcut = found = 0
    with db.reader() as s:
        for path in (("v",), ("v", "w")):
            field = DataField(Task.__table__.c.data, path)
            for term in TERMS:
                fast = DataContains(field, term)
                slow = DataContains(field, term)
                slow.prefilter = False
                shortcut += fast.prefilter
                base = select(Task.id).where(Task.project_id == pid).order_by(Task.id)
                got = list(s.scalars(base.where(fast)))
                assert got == list(s.scalars(base.where(slow))), (path, term)
                found += len(got)
    assert shortcut > 20 and found > 100


def test_only_text_every_writer_leaves_unescaped_takes_the_shortcut() -> None:
    assert raw_text_may_hold("linux") and raw_text_may_hold("Re: x") and raw_text_may_hold("50%_")
    for term in ("", "1", "1.5e+16", "-3", '"', "\\", "a/b", "é", "tab\t", "\x7f"):
        assert not raw_text_may_hold(term), term
