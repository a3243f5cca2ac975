"""Parquet import: flat rows are data; a `data` column makes wrapped tasks; values come out as JSON has them."""

from __future__ import annotations

import datetime
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tessera.domain.errors import ImportFormatError
from tessera.io.readers import read_tasks


def parquet(table: pa.Table, row_group_size: int | None = None) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=row_group_size)
    return buffer.getvalue()


class Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def test_flat_rows_become_data_with_row_numbers() -> None:
    table = pa.table({"text": [f"t{i}" for i in range(10_000)], "n": list(range(10_000))})
    items = list(read_tasks(io.BytesIO(parquet(table, row_group_size=3000)), "t.parquet"))
    assert len(items) == 10_000
    assert (items[0].line, items[0].item) == (1, {"text": "t0", "n": 0})
    assert (items[-1].line, items[-1].item) == (10_000, {"text": "t9999", "n": 9999})


def test_wrapped_rows_and_json_friendly_values() -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    table = pa.table(
        {
            "data": [{"text": "a", "at": when}],
            "predictions": ['[{"result": [], "score": 0.5}]'],
        }
    )
    (item,) = read_tasks(io.BytesIO(parquet(table)), "t.parquet")
    assert item.item == {
        "data": {"text": "a", "at": "2026-01-02T03:04:05"},
        "predictions": [{"result": [], "score": 0.5}],
    }


def test_a_stream_that_cannot_seek_is_read_too() -> None:
    data = parquet(pa.table({"text": ["a", "b"]}))
    assert [t.item["text"] for t in read_tasks(io.BufferedReader(Unseekable(data)), "t.parquet")] == ["a", "b"]


def test_a_file_that_is_not_parquet_is_refused() -> None:
    with pytest.raises(ImportFormatError, match="not a readable Parquet file"):
        list(read_tasks(io.BytesIO(b'{"text": "a"}'), "t.parquet"))
