"""CSV and TSV export: the JSON_MIN rows as a table, byte-compatible with Label Studio's.

Like `label_studio_sdk.converter.exports.csv2`: columns are every key of every row, sorted; strings are
quoted, numbers are not (`csv.QUOTE_NONNUMERIC`), missing cells are `""`, lines end in CRLF; objects and
lists become compact JSON written as ujson does; `annotator` is a string; a data key that is also a control
name becomes `_data_<key>`. The columns are only known after the last row, so rows are first spooled to an
anonymous temporary file (as JSON lines) and the table is written in a second pass: memory stays bounded.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Mapping
from typing import IO, Any, BinaryIO

from tessera.domain.export_rows import AnnotationRow, Controls, annotation_rows, annotator, prettify
from tessera.io.ls_json import dumps_compact

BATCH_CHARS = 1 << 20
FIXED_COLUMNS = ("annotator", "annotation_id", "created_at", "updated_at", "lead_time")
FORMULA_STARTS = ("=", "+", "-", "@")
_CHAT = ("Chat", "chatmessage")


class _Utf8Sink:
    """A text file for `csv.writer` that writes UTF-8 to a binary stream in big batches."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= BATCH_CHARS:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._out.write("".join(self._parts).encode("utf-8", "backslashreplace"))
            self._parts, self._size = [], 0


def _transcript(messages: Any) -> str:
    lines = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        role, content = str(message.get("role", "")), str(message.get("content", ""))
        lines.append((f"{role}: {content}" if content else f"{role}:") if role else content)
    return "\n".join(lines)


def _cell(value: Any) -> Any:
    return dumps_compact(value) if isinstance(value, dict | list) else value


def _spooled(row: AnnotationRow) -> list[Any]:
    """What the second pass needs of a row: [task id, output cells, data cells, tail cells]."""
    outputs = []
    for name, values in row.outputs.items():
        pretty = prettify(values)
        outputs.append([name, pretty if isinstance(pretty, str) else dumps_compact(pretty)])
        if any(tag_type in _CHAT for tag_type, _ in values):
            outputs.append([f"{name}_transcript", _transcript(pretty)])
    tail = [
        ["annotator", annotator(row.completed_by, int_id=False)],
        ["annotation_id", row.annotation_id],
        ["created_at", row.created_at],
        ["updated_at", row.updated_at],
        ["lead_time", row.lead_time],
        *([k, v] for k, v in row.extra.items()),
    ]
    if row.history:
        tail.append(["history", dumps_compact(row.history)])
    data = [[key, _cell(value)] for key, value in row.data.items()]
    return [row.task_id, outputs, data, tail]


def _neutralized(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _write_table(spool: IO[bytes], out: BinaryIO, columns: list[str], colliding: set[str], **fmt: Any) -> None:
    neutralize = fmt.pop("neutralize_formulas")
    sink = _Utf8Sink(out)
    writer = csv.DictWriter(sink, fieldnames=columns, quoting=csv.QUOTE_NONNUMERIC, **fmt)
    writer.writeheader()
    for line in spool:
        task_id, outputs, data, tail = json.loads(line)
        record: dict[str, Any] = {} if task_id is None else {"id": task_id}
        record.update(outputs)
        record.update((f"_data_{key}" if key in colliding else key, cell) for key, cell in data)
        record.update(tail)
        if neutralize:
            record = {key: _neutralized(cell) for key, cell in record.items()}
        writer.writerow(record)
    sink.flush()


def write_csv(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    delimiter: str = ",",
    neutralize_formulas: bool = False,
    spool_dir: str | None = None,
    **_options: Any,
) -> int:
    """Write the JSON_MIN rows of `tasks` as CSV to `out`; returns the number of rows.

    `neutralize_formulas` prefixes text cells starting with = + - @ with "'" so that spreadsheets do not
    run them (Label Studio does not: off by default). `spool_dir` is where the temporary file goes."""
    controls = Controls(schema)
    data_keys: set[str] = set()
    output_keys: set[str] = set()
    other_keys: set[str] = set(FIXED_COLUMNS)
    count = 0
    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        for task in tasks:
            for row in annotation_rows(task, controls):
                task_id, outputs, data, tail = spooled = _spooled(row)
                spool.write(json.dumps(spooled, separators=(",", ":")).encode("ascii") + b"\n")
                count += 1
                if task_id is not None:
                    other_keys.add("id")
                output_keys.update(row.outputs)
                other_keys.update(name for name, _ in outputs)
                other_keys.update(key for key, _ in tail)
                data_keys.update(row.data)
        colliding = data_keys & output_keys
        columns = other_keys | output_keys | {f"_data_{k}" if k in colliding else k for k in data_keys}
        spool.seek(0)
        _write_table(
            spool,
            out,
            sorted(columns),
            colliding,
            delimiter=delimiter,
            neutralize_formulas=neutralize_formulas,
        )
    return count


def write_tsv(tasks: Iterable[dict[str, Any]], out: BinaryIO, **options: Any) -> int:
    """`write_csv` with tabs between fields (Label Studio's TSV)."""
    return write_csv(tasks, out, **{**options, "delimiter": "\t"})
