"""`GET /data/upload/{project_id}/{name}`: a media file uploaded into a project (Label Studio's path), for the
project's members only. The type comes from the file's bytes; images, audio and video are shown inline, any
other file is a download, and every answer carries a sandboxing policy, so that an uploaded HTML or SVG file
never runs in Tessera's origin even when opened directly."""

from __future__ import annotations

from fastapi import Depends
from fastapi.responses import FileResponse

from tessera.api.context import Ctx, context, context_router
from tessera.io.media_types import INLINE, SNIFF_BYTES, sniff
from tessera.services import media

router = context_router(tags=["media"])
MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"


@router.get(media.URL_PREFIX + "/{project_id}/{name}")
def media_file(project_id: int, name: str, ctx: Ctx = Depends(context)) -> FileResponse:
    path = media.open_media(ctx.session, ctx.actor, ctx.settings.data_dir, project_id, name)
    ctx.session.rollback()  # nothing to write: end the read before the file is sent
    with open(path, "rb") as f:
        kind = sniff(f.read(SNIFF_BYTES))
    inline = kind in INLINE
    return FileResponse(
        path,
        media_type=kind,
        filename=name.split("-", 1)[-1],
        content_disposition_type="inline" if inline else "attachment",
        headers={"Content-Security-Policy": MEDIA_CSP, "Cache-Control": "private, max-age=3600"},
    )
