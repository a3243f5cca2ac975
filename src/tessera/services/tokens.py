"""API tokens. Legacy tokens (`Authorization: Token <key>`) and personal access tokens: a long-lived JWT
refresh token that `POST /api/token/refresh/` trades for a short-lived access token (`Bearer <access>`).
Only hashes are stored; a token's value is shown once, when it is made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import ApiToken, User, as_utc, utcnow
from tessera.domain.errors import NotAuthenticated, NotFound
from tessera.services.actors import Actor, key_holder_lookup
from tessera.services.secrets import hash_key, instance_secret, new_key

ACCESS_MINUTES = 5
PAT_DAYS = 365 * 200  # Label Studio's personal access tokens do not expire by default
INVALID = "Invalid token."


@dataclass
class IssuedToken:
    record: ApiToken
    key: str


def create_token(session: Session, user_id: int, *, name: str = "") -> IssuedToken:
    key = new_key()
    record = ApiToken(user_id=user_id, kind="legacy", key_hash=hash_key(key), prefix=key[:6], name=name)
    session.add(record)
    session.flush()
    return IssuedToken(record, key)


def reset_token(session: Session, actor: Actor) -> IssuedToken:
    """Revoke the actor's legacy tokens and make a new one (`POST /api/current-user/reset-token`)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == actor.user_id, ApiToken.kind == "legacy", ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return create_token(session, actor.user_id, name="default")


def list_tokens(session: Session, actor: Actor, *, kind: str | None = None) -> list[ApiToken]:
    q = select(ApiToken).where(ApiToken.user_id == actor.user_id, ApiToken.revoked_at.is_(None))
    if kind:
        q = q.where(ApiToken.kind == kind)
    return list(session.scalars(q.order_by(ApiToken.id)))


def revoke_token(session: Session, actor: Actor, token_id: int) -> None:
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != actor.user_id or record.revoked_at is not None:
        raise NotFound("token not found")
    record.revoked_at = utcnow()
    session.flush()


_TOKENS = ApiToken.__table__
_TOKEN_ACTOR = key_holder_lookup(_TOKENS, _TOKENS.c.revoked_at, _TOKENS.c.expires_at, kind="legacy")
# every API request with a token runs it


def actor_for_token(db: Database, session: Session, key: str) -> Actor:
    """The actor behind a legacy API token, in one statement before the request's work (`Database.read_first`);
    NotAuthenticated when it is unknown or dead."""
    row = db.read_first(_TOKEN_ACTOR, session, key_hash=hash_key(key))
    if row is None:
        raise NotAuthenticated(INVALID)
    user_id, email, is_admin, is_active, revoked_at, expires_at = row
    if revoked_at is not None or not is_active:
        raise NotAuthenticated(INVALID)
    if expires_at is not None and as_utc(expires_at) <= utcnow():
        raise NotAuthenticated(INVALID)
    return Actor(user_id=user_id, email=email, is_admin=bool(is_admin))


def _live_user(session: Session, record: ApiToken | None) -> User:
    if record is None or record.revoked_at is not None:
        raise NotAuthenticated(INVALID)
    if record.expires_at is not None and as_utc(record.expires_at) <= utcnow():
        raise NotAuthenticated(INVALID)
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated(INVALID)
    return user


# --- personal access tokens (JWT) ---------------------------------------------------------------------


def create_personal_token(session: Session, actor: Actor) -> str:
    jti = uuid.uuid4().hex
    now = utcnow()
    record = ApiToken(
        user_id=actor.user_id,
        kind="pat",
        key_hash=hash_key(jti),
        prefix=jti[:6],
        expires_at=now + timedelta(days=PAT_DAYS),
    )
    session.add(record)
    session.flush()
    return _sign(session, "refresh", jti, actor.user_id, now, record.expires_at)


def refresh_access(session: Session, refresh: str) -> str:
    claims = _decode(session, refresh, "refresh")
    record = session.scalar(select(ApiToken).where(ApiToken.key_hash == hash_key(claims["jti"])))
    user = _live_user(session, record)
    now = utcnow()
    return _sign(session, "access", claims["jti"], user.id, now, now + timedelta(minutes=ACCESS_MINUTES))


def user_for_access(session: Session, access: str) -> User:
    claims = _decode(session, access, "access")
    record = session.scalar(select(ApiToken).where(ApiToken.key_hash == hash_key(claims["jti"])))
    return _live_user(session, record)


def revoke_personal_token(session: Session, actor: Actor, refresh: str) -> None:
    claims = _decode(session, refresh, "refresh")
    record = session.scalar(select(ApiToken).where(ApiToken.key_hash == hash_key(claims["jti"])))
    if record is None or record.user_id != actor.user_id:
        raise NotFound("token not found")
    record.revoked_at = utcnow()
    session.flush()


def _sign(session: Session, kind: str, jti: str, user_id: int, iat: datetime, exp: datetime) -> str:
    payload = {"token_type": kind, "jti": jti, "user_id": str(user_id), "iat": iat, "exp": exp}
    return jwt.encode(payload, instance_secret(session), algorithm="HS256")


def _decode(session: Session, token: str, kind: str) -> dict:
    try:
        claims = jwt.decode(token, instance_secret(session), algorithms=["HS256"])
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(INVALID) from exc
    if claims.get("token_type") != kind or not claims.get("jti"):
        raise NotAuthenticated(INVALID)
    return claims


def looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2 and value.startswith("eyJ")
