"""JSONL export: one task per line, in Label Studio's JSON export shape.

The lines are the objects of the JSON export, so a reader that wants one task at a time (a training loop,
`jq -c`, Tessera's own JSONL import) needs no streaming JSON parser. Lines go out in chunks of about a
megabyte; a task comes as a dict (its `data`, `meta`, `annotations` and `predictions` may be `RawJSON` text,
copied as is) or as its encoded bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from tessera.io.export_json import CHUNK_BYTES, encoded, flush


def jsonl_chunks(tasks: Iterable[dict[str, Any] | bytes], counter: list[int] | None = None) -> Iterator[bytes]:
    """The lines, about a megabyte at a time; `counter[0]` counts the tasks."""
    batch: list[bytes] = []
    size = count = 0
    for task in tasks:
        data = task if type(task) is bytes else encoded(task)
        batch.append(data)  # type: ignore[arg-type]
        count += 1
        size += len(data)
        if size >= CHUNK_BYTES:
            batch.append(b"")
            yield flush(batch, b"\n")
            size = 0
    if batch:
        batch.append(b"")
        yield flush(batch, b"\n")
    if counter is not None:
        counter[0] = count


def write_jsonl(tasks: Iterable[dict[str, Any] | bytes], out: BinaryIO, **_options: Any) -> int:
    """Write each task as a line of compact JSON; returns the number of tasks."""
    counter = [0]
    for chunk in jsonl_chunks(tasks, counter):
        out.write(chunk)
    return counter[0]
