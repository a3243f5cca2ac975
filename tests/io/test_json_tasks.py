"""JSON import: a list of tasks or one task, streamed item by item."""

from __future__ import annotations

import io
import json

import pytest

from tessera.domain.errors import ImportFormatError
from tessera.io.json_tasks import read_json
from tests.io.conftest import read, read_error

TRICKY = """[
  {"text": "caf\u00e9 \u6f22\u5b57 \U0001f600", "n": -12.5e-3, "big": 123456789012345678901234567890},
  {"data": {"text": "brackets ] , [ } { and \\"quotes\\" \\u00e9 \\ud83d\\ude00"},
   "annotations": [{"result": [{"value": {"choices": ["A"]}}]}]},

  {"nested": {"a": [1, 2, {"b": [true, false, null]}]}, "empty": {}, "list": []}  ,
  {"x": "\\n\\t\\\\", "y": 0, "z": 1E+2}
]
"""


def test_a_list_of_tasks_with_the_line_each_starts_on() -> None:
    tasks = read(TRICKY.encode(), "tasks.json")
    assert [item for _, item in tasks] == json.loads(TRICKY)
    assert [line for line, _ in tasks] == [2, 3, 6, 7]


@pytest.mark.parametrize("chunk_size", [*range(1, 41), 97, 4096])
def test_items_cut_by_chunk_boundaries_anywhere(chunk_size: int) -> None:
    tasks = list(read_json(io.BytesIO(TRICKY.encode()), "tasks.json", chunk_size=chunk_size))
    assert [t.item for t in tasks] == json.loads(TRICKY)
    assert [t.line for t in tasks] == [2, 3, 6, 7]


@pytest.mark.parametrize("chunk_size", [1, 5, 64])
def test_errors_found_with_small_chunks(chunk_size: int) -> None:
    with pytest.raises(ImportFormatError) as caught:
        list(read_json(io.BytesIO(b'[{"a": 1},\n{"a": 2}\n{"a": 3}]'), "t.json", chunk_size=chunk_size))
    assert caught.value.line == 3 and "expected ',' or ']' after item 2" in caught.value.detail


def test_one_task_object() -> None:
    assert read(b'\n\n  {"data": {"text": "x"}}\n', "task.json") == [(3, {"data": {"text": "x"}})]


def test_an_empty_list_has_no_tasks() -> None:
    assert read(b" [ ] \n", "t.json") == []


def test_a_10_mb_item() -> None:
    text = "é" * (5 << 20)  # 10 MB of UTF-8
    content = b'[{"a": 1},\n{"text": "' + text.encode() + b'"},\n{"a": 2}]'
    tasks = read(content, "t.json")
    assert [line for line, _ in tasks] == [1, 2, 3]
    assert tasks[1][1]["text"] == text


def test_many_items_over_several_chunks() -> None:
    items = [{"i": i, "text": "x" * (i % 300)} for i in range(20_000)]
    content = json.dumps(items, indent=1).encode()
    tasks = read(content, "t.json")
    assert [item for _, item in tasks] == items
    assert tasks[-1][0] == content.count(b"\n", 0, content.rindex(b'{\n  "i": 19999')) + 1


@pytest.mark.parametrize(
    ("content", "line", "detail"),
    [
        (b"", None, "file is empty"),
        (b"  \n \n", None, "file is empty"),
        (b"42", 1, "expected a list of tasks or one task object, found a number"),
        (b'\n"text"', 2, "expected a list of tasks or one task object, found a string"),
        (b"null", 1, "found null"),
        (b"[1, 2]", 1, "item 1 is a number, expected a task object"),
        (b'[{"a": 1},\n ["x"]]', 2, "item 2 is a list, expected a task object"),
        (b'[{"a": 1},\n "s"]', 2, "item 2 is a string"),
        (b'[{"a": 1}]\n\n[{"b": 2}]', 3, "unexpected data after the end of the JSON value"),
        (b'[{"a": 1}] garbage', 1, "unexpected data after the end"),
        (b'{"a": 1}\n}', 2, "unexpected data after the end"),
        (b'[{"a": 1},\n]', 2, "a comma after the last item (1) is not valid JSON"),
        (b'[{"a": 1}\n{"b": 2}]', 2, "expected ',' or ']' after item 1, found '{'"),
        (b'[{"a": 1},\n{"b": 2}', 2, "the task list is not closed (truncated?)"),
        (b'[{"a": 1},\n{"b": ', 2, "the file ends inside an item (truncated?)"),
        (b'[{"a": 1},\n{"b": "unterminated', 2, "Unterminated string"),
        (b'[{"a": 1},', 1, "the file ends inside the task list (truncated?)"),
        (b"[", 1, "the file ends inside the task list"),
        (b'[{"a": 1},\n{"b": 2,, "c": 3},\n{"d": 4}]', 2, "Expecting property name"),
        (b'[{"a": NaN}]', 1, "NaN is not a valid JSON number"),
        (b'[{"a": -Infinity}]', 1, "-Infinity is not a valid JSON number"),
        (b'[\n{"a": "\\u0000"}]', 2, "\\u0000 (NUL)"),
        (b'[{"a": "\\ud800 lone"}]', 1, "lone UTF-16 surrogate"),
        (b'[{"\\udfff": "lone in a key"}]', 1, "lone UTF-16 surrogate"),
    ],
)
def test_errors_name_the_file_and_line(content: bytes, line: int | None, detail: str) -> None:
    error = read_error(content, "tasks.json")
    assert detail in error.detail
    assert error.line == line
    assert error.detail.startswith("tasks.json")


def test_a_bad_item_in_the_middle_names_its_line() -> None:
    lines = [b'{"a": %d},' % i for i in range(1000)]
    lines[500] = b'{"a": tru},'
    error = read_error(b"[\n" + b"\n".join(lines) + b'\n{"end": 1}]', "t.json")
    assert error.line == 502 and "Expecting value" in error.detail


def test_a_surrogate_pair_escape_is_fine() -> None:
    assert read(b'[{"a": "\\ud83d\\ude00"}]', "t.json") == [(1, {"a": "\U0001f600"})]


def test_ten_thousand_levels_deep() -> None:
    for opener, closer in ((b"[", b"]"), (b'{"a":', b"}")):
        content = b'[{"x": ' + opener * 10_000 + b"1" + closer * 10_000 + b"}]"
        error = read_error(content, "deep.json")
        assert "nested deeper than 100 levels" in error.detail and error.line == 1


def test_the_depth_limit_is_100_levels() -> None:
    def nested(depth: int) -> bytes:  # a task object at depth 1, lists below
        return b'[{"x": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}]"

    assert len(read(nested(100), "t.json")) == 1
    assert "nested deeper than 100 levels" in read_error(nested(101), "t.json").detail


def test_many_brackets_in_strings_do_not_trip_the_depth_check() -> None:
    assert read(b'[{"a": "' + b"[{" * 500 + b'"}]', "t.json") == [(1, {"a": "[{" * 500})]
