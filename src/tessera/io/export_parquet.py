"""Parquet export: one row per task, written a row group at a time so that memory stays bounded.

The columns are the task fields of the JSON export. `data`, `meta`, `annotations` and `predictions` are
JSON text: their shapes differ from project to project (and from task to task), and a column type fixed by
the first row group would refuse a later task; JSON text keeps every task exactly and any reader can decode
it (`json.loads`, DuckDB's `json` type, `pandas.read_parquet(...).data.map(json.loads)`).
"""

from __future__ import annotations

import queue
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
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


def column_row_groups(
    batches: Iterable[dict[str, list[Any]]], rows: int = ROW_GROUP, chars: int = GROUP_CHARS
) -> Iterator[pa.RecordBatch]:
    """`row_groups` of tasks that come as columns (`services.export_lines.iter_task_columns`: the JSON
    columns as UTF-8 bytes), cut at the same tasks: a group ends at `rows` tasks or once its JSON text
    reaches `chars` characters (counted by Arrow, not by Python)."""
    pending: list[pa.RecordBatch] = []
    count = size = 0
    for columns in batches:
        batch = _record_batch(columns)
        columns.clear()  # the Python bytes, now in Arrow's buffers
        lengths = [pc.fill_null(pc.utf8_length(batch.column(name)), 0) for name in _JSON_COLUMNS]
        sizes = pc.add(pc.add(lengths[0], lengths[1]), pc.add(lengths[2], lengths[3])).to_pylist()
        start = 0
        while start < len(sizes):
            # the first task at which the group is full: by count, or by its JSON text
            cumulative = list(accumulate(sizes[start:]))
            end = min(rows - count - 1, bisect_left(cumulative, chars - size)) + start
            if end >= len(sizes):
                pending.append(batch.slice(start))
                count += len(sizes) - start
                size += cumulative[-1]
                break
            pending.append(batch.slice(start, end + 1 - start))
            yield _one_batch(pending)
            pending, count, size = [], 0, 0
            start = end + 1
    if pending:
        yield _one_batch(pending)


def _record_batch(columns: dict[str, list[Any]]) -> pa.RecordBatch:
    """`pa.RecordBatch.from_pydict(columns, schema=SCHEMA)`, the JSON columns made with `_string_array`."""
    arrays = [
        _string_array(columns[name]) if name in _JSON_COLUMNS else pa.array(columns[name], kind)
        for name, kind in COLUMNS
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def _string_array(values: list[Any]) -> pa.Array:
    """A `string` array of UTF-8 bytes, made from one buffer of them all and their offsets: `pa.array` looks
    at each Python object in turn, which was an eighth of a 1,000,000-task PostgreSQL export's time on the GIL
    (docs/performance.md). Checked as UTF-8 all the same (`validate(full=True)`, as `pa.array` checks). A
    column with a null (`meta` may be one), or beyond 2 GB, goes value by value."""
    try:
        offsets = array("i", accumulate(map(len, values), initial=0))
    except (TypeError, OverflowError):  # None has no len; an offset beyond a 32-bit int
        return pa.array(values, pa.string())
    strings = pa.Array.from_buffers(
        pa.string(), len(values), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(values))]
    )
    strings.validate(full=True)
    return strings


def _one_batch(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches, schema=SCHEMA).combine_chunks().to_batches()[0]


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


def write_parquet_columns(
    batches: Iterable[dict[str, list[Any]]], out: BinaryIO, *, row_group: int = ROW_GROUP, **_options: Any
) -> int:
    """`write_parquet` of the tasks as column batches (the same file); returns the number of tasks."""
    return write_batches_behind(column_row_groups(batches, row_group), out)


def write_batches_behind(batches: Iterable[pa.RecordBatch], out: Any) -> int:
    """`write_batches` with the encoding and compression on a second thread (Arrow lets go of the GIL while
    it writes), while this one makes the next row group; at most one waits between them."""
    waiting: queue.Queue[pa.RecordBatch | None] = queue.Queue(1)
    failed: list[BaseException] = []

    def drain() -> Iterator[pa.RecordBatch]:
        while (batch := waiting.get()) is not None:
            yield batch

    def run() -> None:
        try:
            write_batches(drain(), out)
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            failed.append(exc)
            while waiting.get() is not None:  # let the producer finish
                pass

    thread = threading.Thread(target=run, name="parquet-writer", daemon=True)
    thread.start()
    count = 0
    try:
        for batch in batches:
            if failed:
                break
            waiting.put(batch)
            count += batch.num_rows
    finally:
        waiting.put(None)
        thread.join()
    if failed:
        raise failed[0]
    return count
