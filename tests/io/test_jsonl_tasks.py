"""JSON Lines import: one task object per line."""

from __future__ import annotations

import pytest

from tests.io.conftest import read, read_error


def test_one_task_per_line_blank_lines_skipped() -> None:
    content = b'{"text": "a"}\r\n\n   \n{"data": {"text": "b"}, "meta": {"m": 1}}\n{"text": "c"}'
    assert read(content, "t.jsonl") == [
        (1, {"text": "a"}),
        (4, {"data": {"text": "b"}, "meta": {"m": 1}}),
        (5, {"text": "c"}),
    ]


def test_ndjson_is_jsonl() -> None:
    assert read(b'{"a": 1}\n', "t.ndjson") == [(1, {"a": 1})]


def test_a_bad_line_in_the_middle() -> None:
    lines = [b'{"i": %d}' % i for i in range(100)]
    lines[41] = b'{"i": 41,}'
    error = read_error(b"\n".join(lines), "t.jsonl")
    assert error.line == 42 and "Expecting property name" in error.detail and "column 10" in error.detail


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b'{"a": 1}\n[{"a": 1}]\n', "found a list, expected a task object"),
        (b'{"a": 1}\n"text"\n', "found a string"),
        (b'{"a": 1}\n{"a": 1} {"b": 2}\n', "Extra data"),
        (b'{"a": 1}\n{"a": NaN}\n', "NaN is not a valid JSON number"),
        (b'{"a": 1}\n{"a": "\\u0000"}\n', "\\u0000 (NUL)"),
        (b'{"a": 1}\n{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}\n", "nested deeper than 100 levels"),
        (b'{"a": 1}\n{"a": ' + b"[" * 150 + b"]" * 150 + b"}\n", "nested deeper than 100 levels"),
    ],
)
def test_errors_name_the_line(content: bytes, detail: str) -> None:
    error = read_error(content, "t.jsonl")
    assert detail in error.detail and error.line == 2


def test_an_empty_file_has_no_tasks() -> None:
    assert read(b"", "t.jsonl") == []
