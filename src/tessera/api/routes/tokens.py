"""Personal access tokens as JWTs (`/api/token/`), the flow of the SDK's `tokens` client."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tessera.api.context import Ctx, context, context_router, db_session, json_body
from tessera.api.schemas import token_read
from tessera.domain.errors import InvalidInput
from tessera.services import tokens

router = context_router(tags=["tokens"])


def _refresh_of(body: Any) -> str:
    value = body.get("refresh") if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise InvalidInput("refresh is required", field_errors={"refresh": ["this field is required"]})
    return value


@router.get("/api/token")
def list_personal_tokens(ctx: Ctx = Depends(context)) -> list:
    return [token_read(t) for t in tokens.list_tokens(ctx.session, ctx.actor, kind="pat")]


@router.post("/api/token", status_code=201)
def create_personal_token(ctx: Ctx = Depends(context)) -> dict:
    token = tokens.create_personal_token(ctx.session, ctx.actor)
    ctx.commit()
    return {"token": token}


@router.post("/api/token/refresh")
def refresh(request: Request, body: Any = Depends(json_body), session: Session = Depends(db_session)) -> dict:
    access = tokens.refresh_access(session, _refresh_of(body))
    return {"access": access}


@router.post("/api/token/blacklist", status_code=204)
def blacklist(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> None:
    tokens.revoke_personal_token(ctx.session, ctx.actor, _refresh_of(body))
    ctx.commit()


@router.post("/api/token/rotate")
def rotate(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    tokens.revoke_personal_token(ctx.session, ctx.actor, _refresh_of(body))
    token = tokens.create_personal_token(ctx.session, ctx.actor)
    ctx.commit()
    return {"refresh": token}
