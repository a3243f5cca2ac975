"""JSONL export: the JSON export's tasks, one per line."""

from __future__ import annotations

import io
import json

from tessera.io.ls_json import RawJSON
from tessera.io.writers import write_export


def test_each_line_is_a_task_of_the_json_export(all_tags_tasks: list[dict]) -> None:
    tasks = all_tags_tasks * 3
    lines_out, json_out = io.BytesIO(), io.BytesIO()
    assert write_export("JSONL", iter(tasks), lines_out) == 3
    write_export("JSON", iter(tasks), json_out)
    lines = lines_out.getvalue().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 4
    assert [json.loads(line) for line in lines[:-1]] == tasks
    assert b"[" + b",".join(lines[:-1]) + b"]" == json_out.getvalue()  # the same bytes as the JSON export


def test_raw_data_is_copied_and_newlines_stay_escaped() -> None:
    task = {"id": 1, "data": RawJSON('{"text":"a\\nb/c"}'), "annotations": []}
    out = io.BytesIO()
    write_export("JSONL", [task], out)
    assert out.getvalue() == b'{"id":1,"data":{"text":"a\\nb\\/c"},"annotations":[]}\n'


def test_no_tasks_no_lines() -> None:
    out = io.BytesIO()
    assert write_export("JSONL", [], out) == 0 and out.getvalue() == b""
