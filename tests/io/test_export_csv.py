"""CSV and TSV export: Label Studio's recorded bytes, column rules, spooling, formula neutralising."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tessera.io.export_csv import write_csv, write_tsv
from tests.io.conftest import SAMPLES
from tests.io.test_export_json_min import BBOX_SCHEMA, bbox_task


def _written(tasks, schema=None, writer=write_csv, **options) -> bytes:
    out = io.BytesIO()
    writer(tasks, out, schema=schema, **options)
    return out.getvalue()


def _rows(content: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode(), newline=""), delimiter=delimiter))


def test_the_recorded_csv_byte_for_byte(all_tags_tasks: list[dict], all_tags_schema: dict) -> None:
    expected = (SAMPLES / "all_tags_export_CSV.csv").read_bytes()
    assert _written(all_tags_tasks, all_tags_schema) == expected


def test_the_recorded_tsv_byte_for_byte(all_tags_tasks: list[dict], all_tags_schema: dict) -> None:
    expected = (SAMPLES / "all_tags_export_TSV.csv").read_bytes()
    assert _written(all_tags_tasks, all_tags_schema, writer=write_tsv) == expected


def test_the_recorded_bbox_csv_byte_for_byte() -> None:
    recorded = json.loads((SAMPLES / "bbox_export_CSV.json").read_bytes())["body"]
    assert _written([bbox_task("./conv/cat.jpg")], BBOX_SCHEMA).decode() == recorded


def test_empty_export_has_the_fixed_columns() -> None:
    assert _written([]) == b'"annotation_id","annotator","created_at","lead_time","updated_at"\r\n'


def test_columns_are_the_union_sorted_and_missing_cells_empty() -> None:
    tasks = [
        {"id": 1, "data": {"b": "x", "a": 1}, "annotations": []},
        {"id": 2, "data": {"c": {"k": "v/w"}}, "annotations": []},
    ]
    written = _written(tasks)
    assert (
        written.splitlines()[0] == b'"a","annotation_id","annotator","b","c","created_at","id","lead_time","updated_at"'
    )
    assert written.splitlines()[2] == b'"","","","","{""k"":""v\\/w""}","",2,"",""'


def test_a_data_key_named_like_a_control_is_renamed() -> None:
    task = bbox_task("a.jpg")
    task["data"]["label"] = "from the data"
    [row] = _rows(_written([task], BBOX_SCHEMA))
    assert row["_data_label"] == "from the data" and row["label"].startswith('[{"x":10.0')


def test_annotator_email_history_and_chat_transcript() -> None:
    chat = [
        {"from_name": "chat", "to_name": "c", "type": "chatmessage", "value": {"chatmessage": m}}
        for m in ({"role": "user", "content": "hi"}, {"role": "assistant", "content": ""})
    ]
    annotation = {"id": 1, "completed_by": {"email": "a@example.com"}, "result": chat, "history": [{"x": 1}]}
    [row] = _rows(_written([{"id": 1, "data": {}, "annotations": [annotation]}], {}))
    assert row["annotator"] == "a@example.com"
    assert row["chat_transcript"] == "user: hi\nassistant:"
    assert row["history"] == '[{"x":1}]'


@pytest.mark.parametrize("writer", [write_csv, write_tsv])
def test_formulas_are_kept_by_default_and_neutralised_on_request(writer) -> None:
    tasks = [
        {
            "id": 1,
            "data": {"a": "=1+1", "b": "+x", "c": "-y", "d": "@z", "e": "fine", "n": -5},
            "annotations": [],
        }
    ]
    delimiter = "\t" if writer is write_tsv else ","
    [plain] = _rows(_written(tasks, writer=writer), delimiter)
    [safe] = _rows(_written(tasks, writer=writer, neutralize_formulas=True), delimiter)
    assert [plain[k] for k in "abcde"] == ["=1+1", "+x", "-y", "@z", "fine"]
    assert [safe[k] for k in "abcde"] == ["'=1+1", "'+x", "'-y", "'@z", "fine"]
    assert safe["n"] == "-5"  # numbers are numbers


def test_the_spool_file_is_removed(tmp_path: Path) -> None:
    tasks = ({"id": i, "data": {"text": "x"}, "annotations": []} for i in range(1000))
    out = io.BytesIO()
    assert write_csv(tasks, out, spool_dir=str(tmp_path)) == 1000
    assert list(tmp_path.iterdir()) == []
    assert len(_rows(out.getvalue())) == 1000


def test_lone_surrogates_do_not_break_the_export() -> None:
    [row] = _rows(_written([{"id": 1, "data": {"t": "a\ud800", "j": ["b\udc00"]}, "annotations": []}]))
    assert row["t"] == "a\\ud800" and json.loads(row["j"]) == ["b\udc00"]
