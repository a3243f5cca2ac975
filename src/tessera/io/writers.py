"""The export formats: name -> how to write it and how to offer it.

Every writer has the same shape: `writer(tasks, out, *, schema=None, **options) -> int` takes an iterable of
task dicts in Label Studio's JSON export shape and the config's `parsed_label_config`, writes bytes to the
binary stream `out` one task at a time, and returns how many tasks (JSON) or rows (the others) it wrote.
Names, titles and descriptions are Label Studio's (`GET /api/projects/{id}/export/formats`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, BinaryIO, NamedTuple

from tessera.io.export_csv import write_csv, write_tsv
from tessera.io.export_json import write_json
from tessera.io.export_json_min import write_json_min

Writer = Callable[..., int]


class ExportFormat(NamedTuple):
    writer: Writer
    media_type: str
    extension: str
    title: str
    description: str
    raw_json: bool = False  # the writer takes a task's `data` and `meta` as `RawJSON` text


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "JSON": ExportFormat(
        write_json,
        "application/json",
        "json",
        "JSON",
        "List of items in raw JSON format stored in one JSON file. Use to export both the data and the "
        "annotations for a dataset. It's Label Studio Common Format",
        raw_json=True,
    ),
    "JSON_MIN": ExportFormat(
        write_json_min,
        "application/json",
        "json",
        "JSON-MIN",
        'List of items where only "from_name", "to_name" values from the raw JSON format are exported. '
        "Use to export only the annotations for a dataset.",
    ),
    "CSV": ExportFormat(
        write_csv,
        "text/csv; charset=utf-8",
        "csv",
        "CSV",
        "Results are stored as comma-separated values with the column names specified by the values of the "
        '"from_name" and "to_name" fields.',
    ),
    "TSV": ExportFormat(
        write_tsv,
        "text/tab-separated-values; charset=utf-8",
        "tsv",
        "TSV",
        'Results are stored in tab-separated tabular file with column names specified by "from_name" "to_name" values',
    ),
}


def write_export(
    name: str, tasks: Iterable[dict[str, Any]], out: BinaryIO, *, schema: Any = None, **options: Any
) -> int:
    """Write `tasks` to `out` in the export format `name` (a key of EXPORT_FORMATS, any case)."""
    return EXPORT_FORMATS[name.upper()].writer(tasks, out, schema=schema, **options)
