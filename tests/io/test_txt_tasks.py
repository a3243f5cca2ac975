"""Plain text import: one task per non-blank line."""

from __future__ import annotations

from tests.io.conftest import read, read_error


def test_one_task_per_line() -> None:
    content = b"first line\r\n\n   \n  indented, kept as is  \nlast without newline"
    assert read(content, "t.txt", text_field="review") == [
        (1, {"review": "first line"}),
        (4, {"review": "  indented, kept as is  "}),
        (5, {"review": "last without newline"}),
    ]


def test_a_txt_import_needs_the_data_field() -> None:
    error = read_error(b"a line\n", "t.txt")
    assert error.detail == "t.txt: a TXT import needs a config with one data field"


def test_an_empty_file_has_no_tasks() -> None:
    assert read(b"", "t.txt", text_field="text") == []
