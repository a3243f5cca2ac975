"""JSON_MIN export: one flat object per task annotation (see `tessera.domain.export_rows`), streamed.

The layout is the converter's: "[\\n", objects indented by two spaces joined by ",\\n", then "\\n]".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from tessera.domain.export_rows import Controls, annotation_rows, json_min_row
from tessera.io.ls_json import dumps_indented, to_utf8

BATCH_CHARS = 1 << 20


def write_json_min(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    **_options: Any,
) -> int:
    """Write the JSON_MIN rows of `tasks` to `out`; `schema` is the config's `parsed_label_config`.

    Returns the number of rows."""
    controls = Controls(schema)
    out.write(b"[\n")
    batch: list[str] = []
    size = count = 0
    for task in tasks:
        for row in annotation_rows(task, controls):
            text = dumps_indented(json_min_row(row))
            batch.append(",\n" + text if count else text)
            count += 1
            size += len(text)
            if size >= BATCH_CHARS:
                out.write(to_utf8("".join(batch)))
                batch, size = [], 0
    out.write(to_utf8("".join(batch)) + b"\n]")
    return count
