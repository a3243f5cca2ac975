"""CSV and TSV import: the header row names the data keys, each further row is one task of strings.

Rows are parsed by `csv` in strict mode from lines decoded one at a time, so a task's line is the physical
line its record starts on (the header is line 1), even when quoted fields span lines. An unclosed quote would
swallow the rest of the file into one field: the field size limit stops it at `FIELD_LIMIT`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from tessera.domain.errors import ImportFormatError
from tessera.io.sources import RawTask, iter_lines

FIELD_LIMIT = 64 << 20


def _ensure_field_limit() -> None:
    # The limit is process-wide in the csv module; only ever raise it.
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


def _describe(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "a quoted field is not closed (unbalanced quotes)"
    if "new-line character seen in unquoted field" in message:
        return "a line ends in a bare carriage return (old Mac line endings); save it with Unix or Windows ones"
    if "field larger than field limit" in message:
        return f"a field is larger than {FIELD_LIMIT >> 20} MB (unbalanced quotes?)"
    return f"malformed row: {message}"


def _header(row: list[str], filename: str) -> list[str]:
    if not row:
        raise ImportFormatError("the header row is empty", filename=filename, line=1)
    seen: set[str] = set()
    for number, name in enumerate(row, start=1):
        if not name.strip():
            raise ImportFormatError(f"column {number} has no name in the header", filename=filename, line=1)
        if name in seen:
            raise ImportFormatError(f"column {name!r} appears twice in the header", filename=filename, line=1)
        seen.add(name)
    return row


def read_csv(src: BinaryIO, filename: str, *, delimiter: str = ",") -> Iterator[RawTask]:
    """One flat `data` dict of strings per row of a CSV (or, with delimiter "\\t", TSV) file."""
    _ensure_field_limit()
    rows = csv.reader((text for _, text in iter_lines(src, filename)), delimiter=delimiter, strict=True)
    consumed = 0  # lines read by `rows` so far
    header: list[str] | None = None
    while True:
        start = consumed + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFormatError(_describe(exc), filename=filename, line=start) from None
        consumed = rows.line_num
        if header is None:
            header = _header(row, filename)
            continue
        if not row:
            continue  # a blank line
        if len(row) != len(header):
            detail = f"{len(row)} field{'s' if len(row) != 1 else ''} where the header has {len(header)}"
            raise ImportFormatError(detail, filename=filename, line=start)
        yield RawTask(start, dict(zip(header, row, strict=True)))
    if header is None:
        raise ImportFormatError("file is empty", filename=filename)


def read_tsv(src: BinaryIO, filename: str) -> Iterator[RawTask]:
    """`read_csv` with tabs between fields."""
    return read_csv(src, filename, delimiter="\t")
