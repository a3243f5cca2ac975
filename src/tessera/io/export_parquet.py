"""Parquet export: one row per task, written a row group at a time so that memory stays bounded.

The columns are the task fields of the JSON export. `data`, `meta`, `annotations` and `predictions` are
JSON text: their shapes differ from project to project (and from task to task), and a column type fixed by
the first row group would refuse a later task; JSON text keeps every task exactly and any reader can decode
it (`json.loads`, DuckDB's `json` type, `pandas.read_parquet(...).data.map(json.loads)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from tessera.io.ls_json import RawJSON, encode_compact

ROW_GROUP = 50_000
GROUP_CHARS = 16 << 20  # a row group also ends at this much JSON text, so long tasks do not fill the memory
COLUMNS: list[tuple[str, pa.DataType]] = [
    ("id", pa.int64()),
    ("inner_id", pa.int64()),
    ("data", pa.string()),
    ("meta", pa.string()),
    ("annotations", pa.string()),
    ("predictions", pa.string()),
    ("created_at", pa.string()),
    ("updated_at", pa.string()),
    ("total_annotations", pa.int64()),
    ("cancelled_annotations", pa.int64()),
    ("total_predictions", pa.int64()),
    ("project", pa.int64()),
    ("updated_by", pa.int64()),
]
SCHEMA = pa.schema(COLUMNS)
_JSON_COLUMNS = ("data", "meta", "annotations", "predictions")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return value if type(value) is RawJSON else encode_compact(value)


def row_groups(
    tasks: Iterable[dict[str, Any]], rows: int = ROW_GROUP, chars: int = GROUP_CHARS
) -> Iterator[pa.RecordBatch]:
    """The tasks as record batches of at most `rows` rows (or about `chars` characters of JSON text)."""
    names = [name for name, _ in COLUMNS]
    plain = [name for name in names if name not in _JSON_COLUMNS]
    columns: dict[str, list[Any]] = {name: [] for name in names}
    count = size = 0
    for task in tasks:
        for name in plain:
            columns[name].append(task.get(name))
        for name in _JSON_COLUMNS:
            text = _json(task.get(name))
            columns[name].append(text)
            size += len(text) if text else 0
        count += 1
        if count == rows or size >= chars:
            yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)
            columns, count, size = {name: [] for name in names}, 0, 0
    if count:
        yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def write_batches(batches: Iterable[pa.RecordBatch], out: Any) -> int:
    """Write record batches to `out` (a path or a binary file) as one Parquet file; returns the row count."""
    count = 0
    with pq.ParquetWriter(out, SCHEMA, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch, row_group_size=batch.num_rows)
            count += batch.num_rows
    return count


def write_parquet(
    tasks: Iterable[dict[str, Any]], out: BinaryIO, *, row_group: int = ROW_GROUP, **_options: Any
) -> int:
    """Write the tasks to `out` as Parquet, `row_group` tasks per row group; returns the number of tasks."""
    return write_batches(row_groups(tasks, row_group), out)
