"""Parquet import: each row is one task, read a record batch at a time so memory follows the batch, not the file.

A row with a `data` column that is a struct (or a JSON object in a string) is a wrapped task like a JSON item,
with `annotations`, `predictions` and `meta` read the same way; any other row is flat: its columns are data.
Values come out as JSON would have them: timestamps and dates as ISO text, bytes refused (a task is JSON).
The row number in errors counts from 1 over the whole file.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from tessera.domain.errors import ImportFormatError
from tessera.io.sources import RawTask

BATCH_ROWS = 4096
WRAPPED_JSON = ("data", "annotations", "predictions", "meta")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _wrapped(row: dict[str, Any]) -> dict[str, Any]:
    """Columns `data`/`annotations`/`predictions`/`meta` written as JSON text (as Tessera's export does)."""
    for key in WRAPPED_JSON:
        value = row.get(key)
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                row[key] = json.loads(value)
            except ValueError:
                pass
    return row


def read_parquet(src: BinaryIO, filename: str) -> Iterator[RawTask]:
    """The rows of a Parquet file as tasks. `src` is copied to a temporary file first when it cannot seek."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - heavy optional dependency, loaded only for Parquet imports

    with tempfile.TemporaryFile(prefix="tessera-parquet-") as spare:
        if not _seekable(src):
            shutil.copyfileobj(src, spare, 1 << 20)
            spare.seek(0)
            src = spare
        try:
            parquet = pq.ParquetFile(src)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not Parquet
            raise ImportFormatError(f"not a readable Parquet file ({exc})", filename=filename) from None
        number = 0
        wrapped = "data" in parquet.schema_arrow.names
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                for row in batch.to_pylist():
                    number += 1
                    item = _plain(row)
                    yield RawTask(number, _wrapped(item) if wrapped else item)
        except OSError as exc:
            detail = f"the Parquet data is damaged ({exc})"
            raise ImportFormatError(detail, filename=filename, line=number + 1) from None


def _seekable(src: BinaryIO) -> bool:
    try:
        return bool(src.seekable())
    except (AttributeError, ValueError):
        return False
