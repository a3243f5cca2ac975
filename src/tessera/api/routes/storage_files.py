"""`GET /data/storage/{storage_id}?key=&expires=&sig=`: one object of a source storage, through a signed,
expiring link (`services/storage_links.py`). The link is the credential (as an S3 presigned URL is), so the
route asks for no session: a tampered or expired link is a 403, a gone object a 404. Tessera streams the
object itself, with the headers uploaded media get (`media.py`): a type sniffed from the bytes, `nosniff`,
a sandboxing policy, and inline display for images, audio and video only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

from fastapi import Depends, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from tessera.api.context import context_router, db_session, outbound_client, settings_of
from tessera.api.routes.media import MEDIA_CSP
from tessera.io.media_types import INLINE, SNIFF_BYTES, sniff
from tessera.net.outbound import OutboundClient
from tessera.net.s3 import Bucket, get_object
from tessera.services.storage_links import LINK_PATH, open_link

router = context_router(tags=["storages"])
MAX_OBJECT_BYTES = 64 * 1024 * 1024 * 1024
PASSED_ON = ("content-length", "content-range", "accept-ranges", "etag", "last-modified")


def _headers(kind: str, key: str) -> dict[str, str]:
    name = key.rsplit("/", 1)[-1].replace('"', "") or "file"
    disposition = "inline" if kind in INLINE else "attachment"
    return {
        "Content-Type": kind,
        "Content-Disposition": f'{disposition}; filename="{name.encode("ascii", "replace").decode()}"',
        "Content-Security-Policy": MEDIA_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
    }


@router.get(LINK_PATH + "/{storage_id}")
def storage_file(
    storage_id: int,
    request: Request,
    key: str = "",
    expires: str = "",
    sig: str = "",
    session: Session = Depends(db_session),
    client: OutboundClient = Depends(outbound_client),
) -> Response:
    linked = open_link(session, storage_id, key, expires, sig, settings_of(request).local_files_root)
    session.rollback()  # nothing to write: end the read before the object is sent
    if linked.path is not None:
        with open(linked.path, "rb") as f:
            kind = sniff(f.read(SNIFF_BYTES))
        headers = _headers(kind, key)
        return FileResponse(linked.path, media_type=kind, headers=headers)
    assert linked.bucket is not None
    return _stream(client, linked.bucket, key, request.headers.get("range"))


def _stream(client: OutboundClient, bucket: Bucket, key: str, byte_range: str | None) -> Response:
    if byte_range and not byte_range.replace(" ", "").startswith("bytes=0-"):
        with get_object(client, bucket, key, max_bytes=SNIFF_BYTES, byte_range=f"bytes=0-{SNIFF_BYTES - 1}") as r:
            head_for_type = r.read()
    else:
        head_for_type = b""
    stack = ExitStack()
    try:
        response = stack.enter_context(
            get_object(client, bucket, key, max_bytes=MAX_OBJECT_BYTES, byte_range=byte_range)
        )
        chunks = response.iter_bytes()
        first = b""
        for chunk in chunks:
            first += chunk
            if len(first) >= SNIFF_BYTES:
                break
    except BaseException:
        stack.close()
        raise
    headers = _headers(sniff(head_for_type or first), key)
    headers.update({k: response.headers[k] for k in PASSED_ON if k in response.headers})
    if "content-encoding" in response.headers:  # httpx decodes the body: its length is no longer the one sent
        headers.pop("content-length", None)

    def body() -> Iterator[bytes]:
        with stack:
            if first:
                yield first
            yield from chunks

    return StreamingResponse(body(), status_code=response.status_code, headers=headers)
