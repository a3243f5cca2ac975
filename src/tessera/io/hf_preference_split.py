"""The `dpo` config of a Hugging Face dataset export: the DPO rows of a preference project as Parquet.

`DpoSpool.tee(tasks)` hands every task on unchanged to the task shards while it makes the task's DPO rows
(`tessera.domain.preference_rows`) and writes them to a spool file a row group at a time, so the export
still reads the project once with memory bounded. The column types are fixed by the format of the first row
(conversational: message lists; standard: strings), as every row of one export has the same format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tessera.domain.preference_rows import PreferenceRows
from tessera.io.preference_lines import decoded

ROW_GROUP = 10_000
MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
PROVENANCE = [
    ("annotation_id", pa.int64()),
    ("task_id", pa.int64()),
    ("annotator", pa.string()),
    ("created_at", pa.string()),
    ("agreement", pa.float64()),
]


def dpo_schema(conversational: bool) -> pa.Schema:
    text = MESSAGES if conversational else pa.string()
    return pa.schema([("prompt", text), ("chosen", text), ("rejected", text), *PROVENANCE])


def feature_lines(schema: pa.Schema) -> list[str]:
    """The card's `features` of the DPO config, as YAML lines (JSON strings for names)."""
    lines = []
    for f in schema:
        if pa.types.is_list(f.type):
            lines += [f'  - name: "{f.name}"', "    list:"]
            lines += [f'    - name: "{k}"\n      dtype: string' for k in ("role", "content")]
        else:
            dtype = {"int64": "int64", "double": "float64", "string": "string"}[str(f.type)]
            lines += [f'  - name: "{f.name}"', f"    dtype: {dtype}"]
    return lines


class DpoSpool:
    def __init__(self, path: str, rows: PreferenceRows) -> None:
        self.path = path
        self.rows = rows
        self.pending: list[dict[str, Any]] = []
        self.writer: pq.ParquetWriter | None = None
        self.count = 0

    @property
    def schema(self) -> pa.Schema:
        return dpo_schema(bool(self.rows.shaper.conversational))

    def tee(self, tasks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for task in tasks:
            self.pending.extend(self.rows.pairs(decoded(task)))
            if len(self.pending) >= ROW_GROUP:
                self.flush()
            yield task

    def flush(self) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        if self.pending:
            self.writer.write_table(pa.Table.from_pylist(self.pending, schema=self.schema))
            self.count += len(self.pending)
            self.pending = []

    def close(self) -> None:
        self.flush()
        assert self.writer is not None
        self.writer.close()
