"""Users, the current user and their legacy API token, invites."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response
from sqlalchemy import select

from tessera.api.context import Ctx, admin_context, context, context_router, json_body
from tessera.api.schemas import token_read, user_read
from tessera.db.tables import ProjectMember, User
from tessera.domain.errors import InvalidInput, NotFound
from tessera.services import invites, tokens, users

router = context_router(tags=["users"])


def _me(ctx: Ctx) -> User:
    user = ctx.session.get(User, ctx.actor.user_id)
    if user is None:
        raise NotFound("user not found")
    return user


@router.get("/api/current-user/whoami")
@router.get("/api/current-user")
def whoami(ctx: Ctx = Depends(context)) -> dict:
    return user_read(_me(ctx))


@router.patch("/api/current-user")
def update_me(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    user = users.update_user(ctx.session, ctx.actor, ctx.actor.user_id, body or {})
    ctx.commit()
    return user_read(user)


@router.get("/api/current-user/token")
def my_token(ctx: Ctx = Depends(context)) -> dict:
    """Tokens are stored hashed, so an existing token cannot be shown again: this answers with the prefix of
    the current one (`token` is null) — `POST /api/current-user/reset-token` makes a new one and shows it."""
    current = tokens.list_tokens(ctx.session, ctx.actor, kind="legacy")
    latest = current[-1] if current else None
    return {
        "token": None,
        "prefix": latest.prefix if latest else None,
        "detail": "tokens are stored hashed; POST /api/current-user/reset-token to get a new one",
    }


@router.post("/api/current-user/reset-token")
def reset_my_token(ctx: Ctx = Depends(context)) -> dict:
    issued = tokens.reset_token(ctx.session, ctx.actor)
    ctx.commit()
    return {"token": issued.key}


@router.get("/api/current-user/tokens")
def my_tokens(ctx: Ctx = Depends(context)) -> list:
    return [token_read(t) for t in tokens.list_tokens(ctx.session, ctx.actor)]


@router.post("/api/current-user/tokens", status_code=201)
def create_my_token(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    name = (body or {}).get("name", "") if isinstance(body, dict) else ""
    if not isinstance(name, str) or len(name) > 200:
        raise InvalidInput("name must be a string of at most 200 characters", field_errors={"name": ["invalid"]})
    issued = tokens.create_token(ctx.session, ctx.actor.user_id, name=name)
    ctx.commit()
    return {**token_read(issued.record), "token": issued.key}


@router.delete("/api/current-user/tokens/{token_id}", status_code=204)
def revoke_my_token(token_id: int, ctx: Ctx = Depends(context)) -> Response:
    tokens.revoke_token(ctx.session, ctx.actor, token_id)
    ctx.commit()
    return Response(status_code=204)


@router.get("/api/users")
def list_users(ctx: Ctx = Depends(context)) -> list:
    if ctx.actor.is_admin:
        return [user_read(u) for u in users.list_users(ctx.session, ctx.actor)]
    mine = select(ProjectMember.project_id).where(ProjectMember.user_id == ctx.actor.user_id)
    q = (
        select(User)
        .where(User.id.in_(select(ProjectMember.user_id).where(ProjectMember.project_id.in_(mine))))
        .order_by(User.id)
    )
    found = list(ctx.session.scalars(q)) or [_me(ctx)]
    return [user_read(u) for u in found]


@router.post("/api/users", status_code=201)
def create_user(body: Any = Depends(json_body), ctx: Ctx = Depends(admin_context)) -> dict:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    # `phone` and `allow_newsletters` are sent by Label Studio's legacy client; Tessera keeps neither.
    allowed = {"email", "password", "first_name", "last_name", "username", "is_admin", "phone", "allow_newsletters"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    if errors := users.profile_errors(body):
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in sorted(errors.items())), field_errors=errors)
    user = users.create_user(
        ctx.session,
        ctx.actor,
        email=str(body.get("email") or ""),
        password=body.get("password"),
        first_name=str(body.get("first_name") or ""),
        last_name=str(body.get("last_name") or ""),
        username=str(body.get("username") or ""),
        is_admin=body.get("is_admin") is True,
    )
    ctx.commit()
    return user_read(user)


@router.get("/api/users/{user_id}")
def read_user(user_id: int, ctx: Ctx = Depends(context)) -> dict:
    if user_id != ctx.actor.user_id and not ctx.actor.is_admin:
        visible = {u["id"] for u in list_users(ctx)}
        if user_id not in visible:
            raise NotFound("user not found")
    return user_read(users.get_user(ctx.session, ctx.actor, user_id))


@router.patch("/api/users/{user_id}")
def update_user(user_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    user = users.update_user(ctx.session, ctx.actor, user_id, body)
    ctx.commit()
    return user_read(user)


@router.delete("/api/users/{user_id}", status_code=204)
def delete_user(user_id: int, ctx: Ctx = Depends(admin_context)) -> Response:
    users.delete_user(ctx.session, ctx.actor, user_id)
    ctx.commit()
    return Response(status_code=204)


@router.post("/api/invites", status_code=201)
def create_invite(body: Any = Depends(json_body), ctx: Ctx = Depends(admin_context)) -> dict:
    body = body if isinstance(body, dict) else {}
    key = invites.create_invite(ctx.session, ctx.actor, email=body.get("email"), is_admin=body.get("is_admin") is True)
    ctx.commit()
    return {"invite_url": str(ctx.request.base_url).rstrip("/") + f"/user/invite/{key}"}
