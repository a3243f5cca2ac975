"""Choosing a reader, and Label Studio's flat-or-wrapped rule."""

from __future__ import annotations

import io

import pytest

from tessera.domain.errors import ImportFormatError
from tessera.io.readers import detect_format, read_tasks, split_task
from tests.io.conftest import read


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("tasks.json", "json"),
        ("TASKS.JSON", "json"),
        ("a.b.jsonl", "jsonl"),
        ("x.ndjson", "ndjson"),
        ("x.csv", "csv"),
        ("x.tsv", "tsv"),
        ("x.txt", "txt"),
        ("x.json.gz", "json"),
        ("dir.v2/x.csv.GZ", "csv"),
    ],
)
def test_format_from_the_extension(filename: str, fmt: str) -> None:
    assert detect_format(filename) == fmt


@pytest.mark.parametrize("filename", ["x.xlsx", "x", "x.gz", ".json", "dir.json/x", "x.json.zip"])
def test_unknown_extensions_are_refused(filename: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        read_tasks(io.BytesIO(b"[]"), filename)  # refused before reading
    assert "use .json, .jsonl, .csv, .tsv, .txt (optionally .gz), .parquet or .zip" in caught.value.detail
    assert caught.value.filename == filename


def test_fmt_overrides_the_name() -> None:
    assert read(b"a,b\n1,2\n", "upload.bin", fmt="CSV") == [(2, {"a": "1", "b": "2"})]
    assert read(b"x\n", "upload", fmt=".txt", text_field="t") == [(1, {"t": "x"})]
    with pytest.raises(ImportFormatError, match="unknown import format 'xml'"):
        read_tasks(io.BytesIO(b""), "x.json", fmt="xml")


def test_tasks_are_read_lazily() -> None:
    stream = io.BytesIO(b'{"a": 1}\n{"a": 2}\nnot json\n')
    tasks = read_tasks(stream, "t.jsonl")
    assert next(tasks).item == {"a": 1}
    assert next(tasks).item == {"a": 2}
    with pytest.raises(ImportFormatError):
        next(tasks)


def test_split_a_flat_item() -> None:
    item = {"text": "x", "meta": {"m": 1}, "annotations": []}
    assert split_task(item) == (item, {}, [], [])


def test_split_a_wrapped_item() -> None:
    annotations = [{"result": []}]
    predictions = [{"result": [], "score": 0.5}]
    item = {"data": {"text": "x"}, "meta": {"m": 1}, "annotations": annotations, "predictions": predictions}
    assert split_task(item) == ({"text": "x"}, {"m": 1}, annotations, predictions)


def test_split_legacy_completions_and_missing_parts() -> None:
    assert split_task({"data": {"t": 1}, "completions": [{"result": []}]}) == (
        {"t": 1},
        {},
        [{"result": []}],
        [],
    )
    assert split_task({"data": {"t": 1}, "meta": None, "predictions": None}) == ({"t": 1}, {}, [], [])


def test_a_data_key_that_is_not_an_object_is_just_data() -> None:
    item = {"data": "a column called data", "text": "x"}
    assert split_task(item) == (item, {}, [], [])
