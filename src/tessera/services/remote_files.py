"""Import files named by URL: fetched through the guarded outbound client into a temporary file.

The file gets a name the import readers recognise: the last segment of the final URL's path (after
redirects) when its extension is an import format, else that segment with the extension the Content-Type
names. Everything that can go wrong — a refused address, an error status, a body over the limit, a network
failure — raises before the import starts, with a message naming the URL.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import httpx
from sqlalchemy.orm import Session

from tessera.domain.errors import Blocked, ImportFormatError, InvalidInput
from tessera.io.readers import detect_format
from tessera.net.outbound import OutboundClient, describe_failure
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.imports import ImportSource

DOWNLOAD_SECONDS = 300.0  # the whole body; each read is bounded by the client's own timeout
FORMAT_OF_TYPE = {
    "application/json": "json",
    "text/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/plain": "txt",
}


def check_may_import(session: Session, actor: Actor, project_id: int) -> None:
    """Refuse an actor who may not import into the project before anything is fetched on their behalf."""
    get_project(session, actor, project_id, "tasks.create")


Fetched = Callable[[int, int | None], None]  # (bytes received so far, Content-Length or None)


@contextmanager
def downloaded(
    client: OutboundClient, url: str, *, max_bytes: int, progress: Fetched | None = None
) -> Iterator[ImportSource]:
    """Fetch `url` (at most `max_bytes`) and yield it as an import source; the temporary file goes afterwards
    (it has no name in the file system, so a killed process leaves nothing behind either)."""
    with tempfile.TemporaryFile(prefix="tessera-import-") as handle:
        name = _download(client, url, handle, max_bytes, progress)
        handle.seek(0)
        yield ImportSource(name, handle)


def _download(client: OutboundClient, url: str, handle: BinaryIO, max_bytes: int, progress: Fetched | None) -> str:
    """Write the body of `url` into `handle`; return the file name to import it under."""
    try:
        with client.stream("GET", url, max_bytes=max_bytes) as response:
            if not response.is_success:
                raise _refusal(url, f"the server answered {response.status_code} {response.reason_phrase}".strip())
            content_type = response.headers.get("content-type", "")
            name = file_name(response.url, content_type)
            if name is None:
                sent = f"Content-Type {_media_type(content_type)!r}" if content_type else "no Content-Type"
                raise _refusal(url, f"the path has no .json, .jsonl, .csv, .tsv or .txt extension and {sent} was sent")
            deadline = time.monotonic() + DOWNLOAD_SECONDS
            length = response.headers.get("content-length", "")
            total = int(length) if length.isdigit() else None
            written = 0
            if progress is not None:
                progress(0, total)
            for chunk in response.iter_bytes():  # decoded: count here too, so gzip cannot inflate past the limit
                written += len(chunk)
                if written > max_bytes:
                    raise Blocked(f"The response is larger than {max_bytes} bytes.")
                if time.monotonic() > deadline:
                    raise httpx.TimeoutException(f"the download took more than {DOWNLOAD_SECONDS:g} seconds")
                handle.write(chunk)
                if progress is not None:
                    progress(written, total)
    except Blocked as exc:
        raise Blocked(f"cannot import from {url}: {exc.detail}", field_errors={"url": [exc.detail]}) from exc
    except httpx.HTTPError as exc:
        raise _refusal(url, describe_failure(exc)) from exc
    return name


def file_name(url: httpx.URL, content_type: str) -> str | None:
    """The name to import a download under so that its format is recognised (see the module docstring), or
    None when neither the path nor the Content-Type says."""
    segment = url.path.rsplit("/", 1)[-1].strip()  # httpx has already percent-decoded the path
    try:
        detect_format(segment)
        return segment
    except ImportFormatError:
        pass
    fmt = FORMAT_OF_TYPE.get(_media_type(content_type))
    return f"{segment or 'download'}.{fmt}" if fmt else None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _refusal(url: str, reason: str) -> InvalidInput:
    return InvalidInput(f"cannot import from {url}: {reason}", field_errors={"url": [reason]})
