"""JSON export: the list of tasks in Label Studio's JSON export shape, streamed.

Each task is encoded on its own (compact, UTF-8, "/" escaped like Label Studio's ujson output, which makes
the bytes match Label Studio's for the same tasks); encoded tasks are written in batches of about a megabyte.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.io.ls_json import encode_task, to_utf8, ujson_style

BATCH_CHARS = 1 << 20


def write_json(tasks: Iterable[dict[str, Any]], out: BinaryIO, **_options: Any) -> int:
    """Write `[task,task,...]` to `out`; returns the number of tasks. A task's `data`, `meta`, `annotations`
    and `predictions` may come as `RawJSON` text (see `EXPORT_FORMATS[...].raw_json`)."""
    out.write(b"[")
    batch: list[str] = []
    size = count = 0
    for task in tasks:
        text = encode_task(task)
        batch.append("," + text if count else text)
        count += 1
        size += len(text)
        if size >= BATCH_CHARS:
            out.write(to_utf8(ujson_style("".join(batch))))
            batch, size = [], 0
    if batch:
        out.write(to_utf8(ujson_style("".join(batch))))
    out.write(b"]")
    return count
