"""The byte side of every import reader: gzip, encoding checks, and line- or chunk-wise UTF-8 text.

An import file arrives as a binary stream. `open_source` undoes gzip (by magic bytes, whatever the name says),
strips a UTF-8 byte-order mark and refuses UTF-16/UTF-32 and ZIP files up front. `iter_lines` and
`TextChunks` then decode strict UTF-8 a line or a chunk at a time, so memory stays bounded by the longest
record, and every error names the file and the line. Readers yield `RawTask`s.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from tessera.domain.errors import ImportFormatError

CHUNK_SIZE = 1 << 20
MAX_RECORD_BYTES = 256 << 20  # one line, one JSON item: beyond this the file is refused, not buffered
_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error, zipfile.BadZipFile)  # damaged compressed data


@dataclass(frozen=True, slots=True)
class RawTask:
    """One item of an import file, as parsed. `line` is where it starts (1-based); `plain` says that `item`
    came from `json_values.decode`'s fast parser (so `db.bulk.plain_json` may write it)."""

    line: int
    item: dict[str, Any]
    plain: bool = False


class _Prefixed(io.RawIOBase):
    """Bytes already read from the head of a stream, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: BinaryIO, n: int) -> bytes:
    head = b""
    while len(head) < n:
        part = stream.read(n - len(head))
        if not part:
            break
        head += part
    return head


def _looks_utf16(head: bytes) -> bool:
    """ASCII text in UTF-16 without a BOM: every other byte is NUL."""
    even_nul = not head[0::2].strip(b"\x00")
    odd_nul = not head[1::2].strip(b"\x00")
    return len(head) >= 2 and even_nul != odd_nul


def _check_head(head: bytes, filename: str) -> None:
    if head[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        raise ImportFormatError("file is UTF-32; save it as UTF-8", filename=filename)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(head):
        raise ImportFormatError("file is UTF-16; save it as UTF-8", filename=filename)
    if head[:4] == b"PK\x03\x04":
        raise ImportFormatError("file is a ZIP archive (an Excel file?); export it as CSV", filename=filename)


@contextmanager
def open_source(stream: BinaryIO, filename: str) -> Iterator[BinaryIO]:
    """A buffered stream of the file's UTF-8 content: ungzipped, without BOM. Does not close `stream`."""
    with ExitStack() as stack:
        head = _read_head(stream, 4)
        src: BinaryIO = stack.enter_context(io.BufferedReader(_Prefixed(head, stream), CHUNK_SIZE))
        if head[:2] == b"\x1f\x8b":
            unzipped = stack.enter_context(gzip.GzipFile(fileobj=src, mode="rb"))
            try:
                head = _read_head(unzipped, 4)
            except _GZIP_ERRORS as exc:
                raise ImportFormatError(f"the gzip data is damaged ({exc})", filename=filename) from None
            src = stack.enter_context(io.BufferedReader(_Prefixed(head, unzipped), CHUNK_SIZE))
        _check_head(head, filename)
        if head.startswith(codecs.BOM_UTF8):
            src.read(len(codecs.BOM_UTF8))
        yield src


def _decode_error(raw: bytes, exc: UnicodeDecodeError, filename: str, line: int) -> ImportFormatError:
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
    line += raw.count(b"\n", 0, exc.start)
    byte = raw[exc.start] if exc.start < len(raw) else None
    what = f"byte 0x{byte:02x}" if byte is not None else "a truncated character"
    return ImportFormatError(
        f"invalid UTF-8 ({what} at column {column}); save the file as UTF-8", filename=filename, line=line
    )


def _nul_error(filename: str, line: int) -> ImportFormatError:
    return ImportFormatError("contains a NUL byte (is it a binary file?)", filename=filename, line=line)


def _too_long(filename: str, line: int) -> ImportFormatError:
    detail = f"a record is longer than {MAX_RECORD_BYTES >> 20} MB"
    return ImportFormatError(detail, filename=filename, line=line)


def iter_lines(src: BinaryIO, filename: str) -> Iterator[tuple[int, str]]:
    """(line number, decoded line with its terminator) for each line of `src`, split at b"\\n"."""
    line = 0
    try:
        while raw := src.readline(MAX_RECORD_BYTES + 1):
            line += 1
            if len(raw) > MAX_RECORD_BYTES:
                raise _too_long(filename, line)
            if b"\x00" in raw:
                raise _nul_error(filename, line)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _decode_error(raw, exc, filename, line) from None
            yield line, text
    except _GZIP_ERRORS as exc:
        detail = f"the gzip data is damaged ({exc})"
        raise ImportFormatError(detail, filename=filename, line=line + 1) from None


class TextChunks:
    """Strict UTF-8 text read from `src` in chunks of about `size` bytes; counts lines for error messages."""

    def __init__(self, src: BinaryIO, filename: str) -> None:
        self._src = src
        self.filename = filename
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._lines = 1  # the line the next byte read belongs to
        self.eof = False

    def read(self, size: int = CHUNK_SIZE) -> str:
        """The next piece of text; "" only at the end of the file."""
        text = ""
        while not text and not self.eof:
            text = self._read(size)
        return text

    def _read(self, size: int) -> str:
        try:
            raw = self._src.read(size)
        except _GZIP_ERRORS as exc:
            detail = f"the gzip data is damaged ({exc})"
            raise ImportFormatError(detail, filename=self.filename, line=self._lines) from None
        nul = raw.find(b"\x00")
        if nul >= 0:
            raise _nul_error(self.filename, self._lines + raw.count(b"\n", 0, nul))
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            data = exc.object if isinstance(exc.object, bytes) else raw
            raise _decode_error(data, exc, self.filename, self._lines) from None
        self._lines += raw.count(b"\n")
        self.eof = not raw
        return text
