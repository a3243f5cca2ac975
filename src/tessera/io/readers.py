"""Import readers: which reader a file gets, and Label Studio's rule for what an item means.

`read_tasks` picks the reader from `fmt` or the file name (a `.gz` suffix is looked through; gzip itself is
recognised by its magic bytes), checks what can be checked before reading, and returns a lazy iterator of
`RawTask`s. Readers yield items as parsed; `split_task` says which part of an item is data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, BinaryIO

from tessera.domain.errors import ImportFormatError
from tessera.io.archives import is_zip_name, zip_entries
from tessera.io.csv_tasks import read_csv, read_tsv
from tessera.io.json_tasks import read_json
from tessera.io.jsonl_tasks import read_jsonl
from tessera.io.parquet_tasks import read_parquet
from tessera.io.sources import RawTask, open_source
from tessera.io.txt_tasks import read_txt

__all__ = ["READERS", "RawTask", "detect_format", "read_sources", "read_tasks", "split_task"]

Reader = Callable[[BinaryIO, str], Iterator[RawTask]]

READERS: dict[str, Reader] = {
    "json": read_json,
    "jsonl": read_jsonl,
    "ndjson": read_jsonl,
    "csv": read_csv,
    "tsv": read_tsv,
}
TEXT_FORMAT = "txt"  # needs the config's data field, so it is not a plain `Reader`
BINARY_READERS: dict[str, Reader] = {"parquet": read_parquet}  # read as they are: no gzip, no text checks


def detect_format(filename: str, fmt: str | None = None) -> str:
    """The import format: `fmt` when given, else the file's extension (ignoring a final `.gz`)."""
    known = sorted([*READERS, *BINARY_READERS, TEXT_FORMAT])
    if fmt:
        name = fmt.lower().lstrip(".")
        if name not in known:
            detail = f"unknown import format {fmt!r}; use one of {', '.join(known)}"
            raise ImportFormatError(detail, filename=filename)
        return name
    base = filename.lower()
    if base.endswith(".gz"):
        base = base[:-3]
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem or "/" in extension or extension not in known:
        shown = f"'.{extension}'" if dot and extension else "without an extension"
        raise ImportFormatError(
            f"cannot import a file {shown}; use .json, .jsonl, .csv, .tsv, .txt (optionally .gz), .parquet or .zip",
            filename=filename,
        )
    return extension


def read_tasks(
    stream: BinaryIO, filename: str, *, text_field: str | None = None, fmt: str | None = None
) -> Iterator[RawTask]:
    """The items of an import file, one at a time. Raises ImportFormatError (now or while iterating).

    `text_field` is the data key a TXT line goes to (the config's only data field). The stream is read,
    never closed; it need not be seekable.
    """
    kind = detect_format(filename, fmt)
    if kind in BINARY_READERS:
        return BINARY_READERS[kind](stream, filename)
    if kind == TEXT_FORMAT:
        if not text_field:
            raise ImportFormatError("a TXT import needs a config with one data field", filename=filename)
        reader: Reader = partial(read_txt, text_field=text_field)
    else:
        reader = READERS[kind]
    return _read(stream, filename, reader)


def read_sources(
    stream: BinaryIO, filename: str, *, text_field: str | None = None
) -> Iterator[tuple[str, Iterator[RawTask]]]:
    """(file name, its items) for an import file, or for each file of a ZIP archive (see `io.archives`).
    Each entry's items must be consumed before the next pair is asked for."""
    if not is_zip_name(filename):
        yield filename, read_tasks(stream, filename, text_field=text_field)
        return
    for name, entry in zip_entries(stream, filename):
        yield name, read_tasks(entry, name, text_field=text_field)  # type: ignore[arg-type]


def _read(stream: BinaryIO, filename: str, reader: Reader) -> Iterator[RawTask]:
    with open_source(stream, filename) as src:
        yield from reader(src, filename)


def split_task(item: dict[str, Any]) -> tuple[dict[str, Any], Any, list[Any], list[Any]]:
    """(data, meta, annotations, predictions) of an imported item, by Label Studio's rule.

    An item whose `data` is an object is a wrapped task: `data` is its data and `meta`, `annotations` and
    `predictions` (or the legacy `completions`) ride along. Any other item is flat: all of it is data.
    Shapes are not checked here beyond that.
    """
    data = item.get("data")
    if not isinstance(data, dict):
        return item, {}, [], []
    annotations = item.get("annotations")
    if annotations is None:
        annotations = item.get("completions")
    return data, item.get("meta") or {}, annotations or [], item.get("predictions") or []
