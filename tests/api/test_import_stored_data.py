"""A JSON Lines import stores the same task data whichever parser and writer its rows take (orjson for plain
rows, `json` for the rest), and the same as the same items sent as a JSON body; bad rows are still refused by
file and line, leaving nothing."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tessera.db.tables import Task
from tests.api.conftest import Person, World

LINES = [
    '{"text": "caf\\u00e9 \\ud83d\\ude00 \\/ \\"q\\" \\\\ \\n\\t", "u": "é😀\u2028\x7f"}',
    '{"text": "floats", "a": 1.0, "b": 1, "c": -0.0, "d": 1E2, "e": 1e16, "f": 1e-7, "g": 0.1, "h": 5e-324}',
    '{"text": "key order", "z": 1, "a": 2, "m": {"y": [1, {"b": null, "a": true}], "x": false}}',
    '{"text": "first", "text": "duplicate keys", "n": {"k": 1, "k": [2]}}',
    '{"text": "big ints", "big": 123456789012345678901234567890, "fits": 922337203685477580}',
    '{"data": {"text": "wrapped", "n": 1.5}, "meta": {"source": "x", "w": 2.0}}',
    '   {"text": "padded"}   ',
]


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def stored(world: World, pid: int) -> list[tuple[Any, Any]]:
    with world.db.reader() as s:
        rows = s.execute(select(Task.data, Task.meta).where(Task.project_id == pid).order_by(Task.inner_id)).all()
        return [(data, meta) for data, meta in rows]


def upload(world: World, person: Person, pid: int, content: str) -> Any:
    files = {"file": ("tasks.jsonl", content.encode())}
    return world.client.post(f"/api/projects/{pid}/import", files=files, headers=person.headers)


def test_jsonl_rows_are_stored_as_the_json_body_path_stores_them(world: World, manager: Person) -> None:
    fast, slow = world.project(manager), world.project(manager)
    r = upload(world, manager, fast, "\n".join(LINES) + "\n")
    assert r.status_code == 201, r.text
    headers = {**manager.headers, "Content-Type": "application/json"}
    r = world.client.post(f"/api/projects/{slow}/import", content="[" + ",".join(LINES) + "]", headers=headers)
    assert r.status_code == 201, r.text
    got, expected = stored(world, fast), stored(world, slow)
    assert len(got) == len(LINES)
    for (data, meta), (want_data, want_meta), line in zip(got, expected, LINES, strict=True):
        assert same(data, want_data), line
        assert same(meta, want_meta), line
        item = json.loads(line)  # PostgreSQL's JSONB writes 1e16 as 10000000000000000 and -0.0 as 0: only ==
        assert data == item.get("data", item), line
    assert got[4][0]["big"] == 123456789012345678901234567890


def test_bad_rows_are_refused_by_line_and_nothing_is_stored(world: World, manager: Person) -> None:
    pid = world.project(manager)
    lines = [*LINES, '{"text": "nul \\u0000"}', '{"text": NaN}', '{"text": "lone \\udc00"}', '{"other": 1}']
    r = upload(world, manager, pid, "\n".join(lines) + "\n")
    assert r.status_code == 400, r.text
    body = r.text
    assert "tasks.jsonl" in body and "line 8" in body
    assert stored(world, pid) == []
    for line in (9, 10, 11):  # one row at a time: each refused by its own line
        r = upload(world, manager, pid, "\n".join([*LINES, lines[line - 1]]) + "\n")
        assert r.status_code == 400 and f"line {len(LINES) + 1}" in r.text, r.text
    assert stored(world, pid) == []
