"""JSON export: the list of tasks in Label Studio's JSON export shape, streamed.

Each task is encoded on its own (compact, UTF-8, "/" escaped like Label Studio's ujson output, which makes
the bytes match Label Studio's for the same tasks); encoded tasks go out in chunks of about a megabyte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from tessera.io.ls_json import encode_task, to_utf8, ujson_exponents

CHUNK_BYTES = 256 << 10


def encoded(task: dict[str, Any] | bytes) -> bytes:
    """A task's compact JSON as UTF-8 bytes, its exponents written as ujson writes them, before the "/"
    rewrite: a dict is encoded (its `data`, `meta`, `annotations` and `predictions` may be `RawJSON` text);
    bytes are a task already encoded so (`services.export_lines`)."""
    return task if type(task) is bytes else ujson_exponents(to_utf8(encode_task(task)))  # type: ignore[arg-type]


def flush(batch: list[bytes], separator: bytes = b"") -> bytes:
    """The batch's pieces joined, "/" escaped as ujson escapes it (the one rewrite left: the pieces' exponents
    are ujson's already); the batch is emptied (so that only the chunk is held while the consumer writes it)."""
    data = separator.join(batch)
    batch.clear()
    return data.replace(b"/", b"\\/")


def json_chunks(tasks: Iterable[dict[str, Any] | bytes], counter: list[int] | None = None) -> Iterator[bytes]:
    """The bytes of `[task,task,...]`, about a megabyte at a time; `counter[0]` counts the tasks."""
    batch: list[bytes] = [b"["]
    size = count = 0
    for task in tasks:
        data = task if type(task) is bytes else encoded(task)
        if count:
            batch.append(b",")
        batch.append(data)  # type: ignore[arg-type]
        count += 1
        size += len(data)
        if size >= CHUNK_BYTES:
            yield flush(batch)
            size = 0
    batch.append(b"]")
    yield flush(batch)
    if counter is not None:
        counter[0] = count


def write_json(tasks: Iterable[dict[str, Any] | bytes], out: BinaryIO, **_options: Any) -> int:
    """Write `[task,task,...]` to `out`; returns the number of tasks. A task may come as a dict whose `data`,
    `meta`, `annotations` and `predictions` are `RawJSON` text (see `EXPORT_FORMATS[...].raw_json`), or as
    its encoded bytes (`EXPORT_FORMATS[...].chunks`)."""
    counter = [0]
    for chunk in json_chunks(tasks, counter):
        out.write(chunk)
    return counter[0]
