"""Version and health."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import text

from tessera import __version__
from tessera.api.context import context_router

router = context_router(tags=["system"])


@router.get("/api/version")
def version() -> dict:
    # `edition` must not be "Enterprise": the SDK would switch exports to the snapshot-and-poll flow.
    return {"release": __version__, "edition": "Community", "tessera": {"version": __version__}}


@router.get("/health")
def health(request: Request) -> dict:
    with request.app.state.db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "UP"}
