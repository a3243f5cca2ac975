"""Plain text import: one task per non-blank line, bound to the config's single data field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from tessera.io.sources import RawTask, iter_lines


def read_txt(src: BinaryIO, filename: str, *, text_field: str) -> Iterator[RawTask]:
    """`{text_field: line}` for each line that is not blank; the line keeps its spaces, not its terminator."""
    for line, text in iter_lines(src, filename):
        if text.endswith("\n"):
            text = text[:-2] if text.endswith("\r\n") else text[:-1]
        if text.strip():
            yield RawTask(line, {text_field: text})
