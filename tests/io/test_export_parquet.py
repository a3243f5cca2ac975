"""Parquet export: one row per task, row groups streamed."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tessera.io.export_parquet import (
    COLUMNS,
    _string_array,
    column_row_groups,
    row_groups,
    write_parquet,
    write_parquet_columns,
)
from tessera.io.ls_json import RawJSON, encode_compact
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


def _columns(tasks: list[dict], size: int) -> list[dict[str, list]]:
    """The tasks as `iter_task_columns` gives them: batches of `size`, JSON as UTF-8 bytes."""
    batches = []
    for start in range(0, len(tasks), size):
        batch: dict[str, list] = {name: [] for name, _ in COLUMNS}
        for task in tasks[start : start + size]:
            for name, _ in COLUMNS:
                value = task.get(name)
                if name in ("data", "meta", "annotations", "predictions") and value is not None:
                    value = (value if type(value) is RawJSON else encode_compact(value)).encode()
                batch[name].append(value)
        batches.append(batch)
    return batches


def test_column_batches_make_the_same_row_groups_and_file() -> None:
    tasks = _tasks(60)
    for rows, chars, size in ((100, 500, 7), (10, 10_000, 7), (25, 300, 60), (13, 1_000, 1), (100, 10**6, 8)):
        expected = [batch.num_rows for batch in row_groups(tasks, rows=rows, chars=chars)]
        got = [batch.num_rows for batch in column_row_groups(_columns(tasks, size), rows=rows, chars=chars)]
        assert got == expected, (rows, chars, size)
    old, new = io.BytesIO(), io.BytesIO()
    assert write_parquet(iter(tasks), old, row_group=10) == write_parquet_columns(_columns(tasks, 7), new, row_group=10)
    assert new.getvalue() == old.getvalue()


def test_string_arrays_from_one_buffer_equal_arrows_value_by_value() -> None:
    for values in (
        [b'{"text":"caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80"}', b"", b"[]", b'"x"'],
        [],
        [b"{}"] * 3,
        [b'{"a":1}', None, b"[]"],  # a null: value by value
    ):
        strings = _string_array(values)
        assert strings.equals(pa.array(values, pa.string()))
        assert strings.to_pylist() == [None if v is None else v.decode() for v in values]
    with pytest.raises(pa.ArrowInvalid):  # not UTF-8: refused as `pa.array` refuses it
        _string_array([b"ok", b"\xff"])
