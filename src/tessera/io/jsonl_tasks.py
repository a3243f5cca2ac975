"""JSON Lines import (.jsonl, .ndjson): one task object per line; blank lines are skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from tessera.domain.errors import ImportFormatError
from tessera.io.json_values import MAX_DEPTH, NonFiniteNumber, decode, kind_of, problem_in
from tessera.io.sources import RawTask, iter_lines


def read_jsonl(src: BinaryIO, filename: str) -> Iterator[RawTask]:
    """The tasks of a JSON Lines file, each with its line number."""
    for line, text in iter_lines(src, filename):
        if not text.strip():
            continue
        try:
            value, plain = decode(text)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{exc.msg} (column {exc.colno})", filename=filename, line=line) from None
        except RecursionError:
            detail = f"nested deeper than {MAX_DEPTH} levels"
            raise ImportFormatError(detail, filename=filename, line=line) from None
        except NonFiniteNumber as exc:
            raise ImportFormatError(str(exc), filename=filename, line=line) from None
        if not isinstance(value, dict):
            raise ImportFormatError(f"found {kind_of(value)}, expected a task object", filename=filename, line=line)
        if problem := problem_in(value, text, 0, len(text)):
            raise ImportFormatError(problem, filename=filename, line=line)
        yield RawTask(line, value, plain)
