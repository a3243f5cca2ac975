"""The export format registry."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tessera.io.writers import EXPORT_FORMATS, write_export


def test_the_formats_with_label_studio_names() -> None:
    assert list(EXPORT_FORMATS) == [
        *("JSON", "JSON_MIN", "CSV", "TSV", "JSONL", "PARQUET", "HF_DATASET"),
        *("COCO", "YOLO", "VOC", "CONLL2003", "SPACY"),
        *("DPO_JSONL", "REWARD_PAIRS_JSONL", "KTO_JSONL", "SFT_JSONL"),
    ]
    assert [f.title for f in EXPORT_FORMATS.values()][:4] == ["JSON", "JSON-MIN", "CSV", "TSV"]
    assert [f.extension for f in EXPORT_FORMATS.values()][:4] == ["json", "json", "csv", "tsv"]
    assert {EXPORT_FORMATS[name].extension for name in ("HF_DATASET", "COCO", "YOLO", "VOC")} == {"zip"}
    assert all(f.description and f.media_type for f in EXPORT_FORMATS.values())


@pytest.mark.parametrize("name", ["JSON", "json_min", "CSV", "tsv"])
def test_every_writer_has_the_same_call(name: str, all_tags_tasks: list[dict], all_tags_schema: dict) -> None:
    out = io.BytesIO()
    count = write_export(name, iter(all_tags_tasks), out, schema=all_tags_schema)
    content = out.getvalue().decode()
    if name.upper() == "JSON":
        assert count == 1 and json.loads(content) == all_tags_tasks
    elif name.upper() == "JSON_MIN":
        assert count == 2 and len(json.loads(content)) == 2
    else:
        delimiter = "\t" if name.upper() == "TSV" else ","
        assert count == 2 and len(list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))) == 3
