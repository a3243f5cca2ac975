"""An import request's body, written to a folder of its own under `<data>/uploads/` as it arrives.

Why not Starlette's form parsing: it keeps files in anonymous temporary files that vanish with the request
(a job needs them after the answer) and puts no limit on a file's size. Here every byte is counted as it is
received, so a body over the limit is refused before the rest is read, whatever Content-Length said (or
without one, when chunked). Multipart files go to `<n>.part` files (their names are kept only as names:
they give the format and appear in messages, never a path); form fields are kept in memory, up to a small
limit; any other body (JSON) goes to `body`.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from tessera.domain.errors import InvalidInput, TooLarge

MAX_FIELD_BYTES = 1 << 20
MAX_FILES = 100


@dataclass
class SpooledFile:
    name: str
    path: Path
    size: int = 0


@dataclass
class Upload:
    folder: Path
    files: list[SpooledFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    body: SpooledFile | None = None  # a non-form body
    kept: bool = False  # a job took the files over: do not discard them with the request

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files) + (self.body.size if self.body else 0)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Multipart:
    """Callbacks for python-multipart's streaming parser: one file or field at a time."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.handle: IO[bytes] | None = None
        self.current: SpooledFile | None = None
        self.field_name: str | None = None
        self.field_value = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_header_field": lambda d, s, e: setattr(self, "header_field", self.header_field + d[s:e]),
            "on_header_value": lambda d, s, e: setattr(self, "header_value", self.header_value + d[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
        }

    def part_begin(self) -> None:
        self.headers = {}

    def header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field = self.header_value = b""

    def headers_finished(self) -> None:
        _kind, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if len(self.upload.files) >= MAX_FILES:
                raise InvalidInput(f"at most {MAX_FILES} files per import")
            filename = options[b"filename"].decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            spooled = SpooledFile(filename or name or "file", self.upload.folder / f"{len(self.upload.files)}.part")
            self.upload.files.append(spooled)
            self.current = spooled
            self.handle = open(spooled.path, "wb")  # noqa: SIM115 - closed at the part's end or in `close`
        else:
            self.field_name, self.field_value = name, bytearray()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.handle is not None and self.current is not None:
            self.handle.write(data[start:end])
            self.current.size += end - start
        else:
            self.field_value += data[start:end]
            if len(self.field_value) > MAX_FIELD_BYTES:
                raise InvalidInput(f"form field {self.field_name!r} is larger than {MAX_FIELD_BYTES} bytes")

    def part_end(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle, self.current = None, None
        elif self.field_name is not None:
            self.upload.fields[self.field_name] = self.field_value.decode("utf-8", "replace")
            self.field_name = None

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


async def spool_request(request: Request, folder: Path, max_bytes: int) -> Upload:
    """Receive the body into `folder/<random>/`; see the module docstring. The caller discards it."""
    upload = Upload(folder / uuid.uuid4().hex)
    upload.folder.mkdir(parents=True)
    try:
        await _receive(request, upload, max_bytes)
    except BaseException:
        upload.discard()
        raise
    return upload


async def _receive(request: Request, upload: Upload, max_bytes: int) -> None:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    received = 0

    def count(chunk: bytes) -> None:
        nonlocal received
        received += len(chunk)
        if received > max_bytes:
            raise TooLarge(f"the upload is larger than the limit of {max_bytes} bytes; nothing was imported")

    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise InvalidInput("a multipart body needs a boundary")
        parts = _Multipart(upload)
        parser = MultipartParser(boundary, parts.callbacks())
        try:
            async for chunk in request.stream():
                count(chunk)
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as exc:
            raise InvalidInput(f"the multipart body is malformed ({exc})") from None
        finally:
            parts.close()
        return
    if content_type == b"application/x-www-form-urlencoded":
        raw = bytearray()
        async for chunk in request.stream():
            count(chunk)
            raw += chunk
            if len(raw) > MAX_FIELD_BYTES:
                raise InvalidInput(f"a form body is larger than {MAX_FIELD_BYTES} bytes; upload files instead")
        upload.fields = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        return
    upload.body = SpooledFile("request body.json", upload.folder / "body")
    with open(upload.body.path, "wb") as handle:
        async for chunk in request.stream():
            count(chunk)
            handle.write(chunk)
    upload.body.size = received
