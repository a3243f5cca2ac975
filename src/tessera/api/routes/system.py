"""Version and health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from tessera import __version__

router = APIRouter(tags=["system"])


@router.get("/api/version")
def version() -> dict:
    # `edition` must not be "Enterprise": the SDK would switch exports to the snapshot-and-poll flow.
    return {"release": __version__, "edition": "Community", "tessera": {"version": __version__}}


@router.get("/health")
def health(request: Request) -> dict:
    with request.app.state.db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "UP"}
