"""JSON import: a list of tasks, or one task object, parsed one item at a time.

The file is read in chunks; each list item is decoded with `JSONDecoder.raw_decode` from a text buffer that
holds the unread rest of the current chunk. An item cut by a chunk boundary is retried after reading more,
and the read size doubles with the item, so a big item costs linear time. Memory is bounded by the largest
item plus a chunk, whatever the file size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from tessera.domain.errors import ImportFormatError
from tessera.io.json_values import DECODER, MAX_DEPTH, NonFiniteNumber, kind_of, problem_in
from tessera.io.sources import CHUNK_SIZE, MAX_RECORD_BYTES, RawTask, TextChunks

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NEAR_END = 16  # an error this close to the end of the buffer may only mean the item goes on


class _Scanner:
    """A window on the file's text: `buf[pos:]` is unread, `line` is the line of `buf[pos]`."""

    def __init__(self, chunks: TextChunks, chunk_size: int) -> None:
        self.chunks = chunks
        self.chunk_size = chunk_size
        self.buf = ""
        self.pos = 0
        self.line = 1

    def error(self, detail: str, line: int | None = None) -> ImportFormatError:
        return ImportFormatError(detail, filename=self.chunks.filename, line=line or self.line)

    def _more(self, size: int = 0) -> bool:
        """Add about `size` bytes of text to the unread part of the buffer; False at the end of the file."""
        text = self.chunks.read(size or self.chunk_size)
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        return bool(text)

    def peek(self) -> str | None:
        """Skip whitespace; the next character, or None at the end of the file."""
        while True:
            end = _WHITESPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            if end < len(self.buf):
                return self.buf[end]
            if not self._more():
                return None

    def take(self) -> None:
        self.pos += 1

    def value(self) -> Any:
        """Decode the JSON value at `pos` (after `peek`), reading more of the file as long as it may help."""
        while True:
            try:
                value, end = DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                may_continue = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buf) - _NEAR_END
                if may_continue and self._grow():
                    continue
                truncated = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buf.rstrip())
                detail = f"{exc.msg}: the file ends inside an item (truncated?)" if truncated else exc.msg
                raise self.error(detail, line=self.line + self.buf.count("\n", self.pos, exc.pos)) from None
            except RecursionError:
                raise self.error(f"nested deeper than {MAX_DEPTH} levels") from None
            except NonFiniteNumber as exc:
                raise self.error(str(exc)) from None
            if end == len(self.buf) and not isinstance(value, dict | list) and self._grow():
                continue  # a number may go on in the next chunk
            if problem := problem_in(value, self.buf, self.pos, end):
                raise self.error(problem)
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            return value

    def _grow(self) -> bool:
        unread = len(self.buf) - self.pos
        if unread > MAX_RECORD_BYTES:
            raise self.error(f"an item is larger than {MAX_RECORD_BYTES >> 20} MB")
        return self._more(max(self.chunk_size, unread))


def _items(sc: _Scanner) -> Iterator[RawTask]:
    sc.take()  # "["
    index = 0
    char = sc.peek()
    if char == "]":
        sc.take()
        return
    while True:
        if char is None:
            raise sc.error("the file ends inside the task list (truncated?)")
        index += 1
        line = sc.line
        value = sc.value()
        if not isinstance(value, dict):
            raise sc.error(f"item {index} is {kind_of(value)}, expected a task object", line=line)
        yield RawTask(line, value)
        char = sc.peek()
        if char == "]":
            sc.take()
            return
        if char is None:
            raise sc.error(f"the file ends after item {index}: the task list is not closed (truncated?)")
        if char != ",":
            raise sc.error(f"expected ',' or ']' after item {index}, found {char!r}")
        sc.take()
        char = sc.peek()
        if char == "]":
            raise sc.error(f"a comma after the last item ({index}) is not valid JSON")


def read_json(src: BinaryIO, filename: str, *, chunk_size: int = CHUNK_SIZE) -> Iterator[RawTask]:
    """The tasks of a JSON file: its list's items, or its single object."""
    sc = _Scanner(TextChunks(src, filename), chunk_size)
    char = sc.peek()
    if char is None:
        raise ImportFormatError("file is empty", filename=filename)
    if char == "[":
        yield from _items(sc)
    else:
        line = sc.line
        value = sc.value()
        if not isinstance(value, dict):
            raise sc.error(f"expected a list of tasks or one task object, found {kind_of(value)}", line=line)
        yield RawTask(line, value)
    if sc.peek() is not None:
        raise sc.error("unexpected data after the end of the JSON value")
