"""Parquet export: one row per task, row groups streamed."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq

from tessera.io.export_parquet import COLUMNS, row_groups
from tessera.io.ls_json import RawJSON
from tessera.io.writers import write_export


def _tasks(n: int) -> list[dict]:
    return [
        {
            "id": i,
            "inner_id": i,
            "data": RawJSON(json.dumps({"text": f"task {i} é"}, ensure_ascii=False)) if i % 2 else {"text": f"t{i}"},
            "meta": {},
            "annotations": [{"id": i, "result": [{"value": {"choices": ["A"]}}]}],
            "predictions": [],
            "created_at": "2026-01-01T00:00:00.000000Z",
            "total_annotations": 1,
            "project": 7,
            "updated_by": None,
        }
        for i in range(1, n + 1)
    ]


def test_rows_carry_the_tasks_in_row_groups() -> None:
    out = io.BytesIO()
    assert write_export("PARQUET", iter(_tasks(25)), out, row_group=10) == 25
    parquet = pq.ParquetFile(io.BytesIO(out.getvalue()))
    assert parquet.metadata.num_row_groups == 3  # streamed: 10 + 10 + 5
    assert parquet.schema_arrow.names == [name for name, _ in COLUMNS]
    table = parquet.read().to_pylist()
    assert [row["id"] for row in table] == list(range(1, 26))
    assert json.loads(table[0]["data"]) == {"text": "task 1 é"}
    assert json.loads(table[1]["data"]) == {"text": "t2"}
    assert json.loads(table[0]["annotations"])[0]["result"][0]["value"] == {"choices": ["A"]}
    assert table[0]["updated_by"] is None and table[0]["project"] == 7 and table[0]["updated_at"] is None


def test_an_empty_export_is_a_valid_file() -> None:
    out = io.BytesIO()
    assert write_export("PARQUET", [], out) == 0
    assert pq.read_table(io.BytesIO(out.getvalue())).num_rows == 0


def test_a_row_group_also_ends_at_its_text_budget() -> None:
    sizes = [batch.num_rows for batch in row_groups(_tasks(25), rows=100, chars=500)]
    assert sum(sizes) == 25 and len(sizes) > 2  # each task has about 100 characters of JSON text
