"""JSONL export: one task per line, in Label Studio's JSON export shape.

The lines are the objects of the JSON export, so a reader that wants one task at a time (a training loop,
`jq -c`, Tessera's own JSONL import) needs no streaming JSON parser. Lines are written in batches of about a
megabyte; a task's `data`, `meta`, `annotations` and `predictions` may come as `RawJSON` text, copied as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.io.ls_json import encode_task, to_utf8, ujson_style

BATCH_CHARS = 1 << 20


def write_jsonl(tasks: Iterable[dict[str, Any]], out: BinaryIO, **_options: Any) -> int:
    """Write each task as a line of compact JSON; returns the number of tasks."""
    batch: list[str] = []
    size = count = 0
    for task in tasks:
        text = encode_task(task)
        batch.append(text)
        batch.append("\n")
        count += 1
        size += len(text)
        if size >= BATCH_CHARS:
            out.write(to_utf8(ujson_style("".join(batch))))
            batch, size = [], 0
    if batch:
        out.write(to_utf8(ujson_style("".join(batch))))
    return count
