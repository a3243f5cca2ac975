"""CSV and TSV import: the header names the data keys; values stay strings."""

from __future__ import annotations

import csv

import pytest

from tessera.io.csv_tasks import FIELD_LIMIT
from tests.io.conftest import read, read_error


def test_rows_become_flat_data_of_strings() -> None:
    content = b'text,score,empty\r\nhello,5,\r\n"with, comma",1.5,x\r\n'
    assert read(content, "t.csv") == [
        (2, {"text": "hello", "score": "5", "empty": ""}),
        (3, {"text": "with, comma", "score": "1.5", "empty": "x"}),
    ]


def test_a_task_line_is_where_its_record_starts() -> None:
    content = b'text,n\n"two\nlines",1\n\n"three\n\nlines ""quoted""",2\nlast,3'
    assert read(content, "t.csv") == [
        (2, {"text": "two\nlines", "n": "1"}),
        (5, {"text": 'three\n\nlines "quoted"', "n": "2"}),
        (8, {"text": "last", "n": "3"}),
    ]


def test_tsv() -> None:
    content = b'text\tlabel\nhello, world\tA\n"tab\there"\tB\n'
    assert read(content, "t.tsv") == [
        (2, {"text": "hello, world", "label": "A"}),
        (3, {"text": "tab\there", "label": "B"}),
    ]


def test_header_only_has_no_tasks() -> None:
    assert read(b"text,label\n", "t.csv") == []


@pytest.mark.parametrize(
    ("content", "line", "detail"),
    [
        (b"", None, "file is empty"),
        (b'text,label\nok,A\n"unclosed,B\nmore,C\n', 3, "a quoted field is not closed (unbalanced quotes)"),
        (b'text,label\n"ok"x,A\n', 2, "malformed row"),
        (b"text,label\nok,A\nthree,fields,here\n", 3, "3 fields where the header has 2"),
        (b"text,label\nok,A\nalone\n", 3, "1 field where the header has 2"),
        (b"text,,label\na,b,c\n", 1, "column 2 has no name in the header"),
        (b"text, \na,b\n", 1, "column 2 has no name in the header"),
        (b"text,label,text\na,b,c\n", 1, "column 'text' appears twice in the header"),
        (b"\ntext\n", 1, "the header row is empty"),
        (b"text,label\ra,b\r", 1, "bare carriage return"),
    ],
)
def test_errors_name_the_line(content: bytes, line: int | None, detail: str) -> None:
    error = read_error(content, "t.csv")
    assert detail in error.detail
    if line is not None:
        assert error.line == line


def test_a_quote_inside_an_unquoted_field_is_kept() -> None:
    # csv (like pandas) takes a quote in the middle of an unquoted field literally
    assert read(b'text\nbad"quote\n', "t.csv") == [(2, {"text": 'bad"quote'})]


def test_big_fields_are_allowed_up_to_the_limit() -> None:
    big = "x" * (1 << 20)
    assert read(f"text\n{big}\n".encode(), "t.csv") == [(2, {"text": big})]
    assert csv.field_size_limit() >= FIELD_LIMIT
