"""Login, browser sessions and turning credentials into an Actor."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import BrowserSession, LoginAttempt, User, as_utc, utcnow
from tessera.domain.errors import NotAuthenticated, TooMany
from tessera.services.actors import Actor, key_holder_lookup
from tessera.services.secrets import hash_key, new_key
from tessera.services.users import check_password, find_user_by_email, normalize_email

LOGIN_FAILED = "wrong e-mail or password"


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, email=user.email, is_admin=user.is_admin)


def check_login_rate(session: Session, key: str, per_minute: int) -> None:
    since = utcnow() - timedelta(minutes=1)
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(hours=1)))
    recent = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.created_at >= since)
    )
    if (recent or 0) >= per_minute:
        raise TooMany("too many login attempts; wait a minute and try again")


def authenticate(session: Session, email: str, password: str, *, client: str, per_minute: int = 10) -> User:
    """Check a password. Unknown users and wrong passwords get the same answer in the same time.

    Failed attempts are counted per e-mail and per client address, in the database, so the limit holds
    across app processes.
    """
    keys = (f"email:{normalize_email(email)}", f"client:{client}")
    for key in keys:
        check_login_rate(session, key, per_minute)
    user = find_user_by_email(session, email)
    if not check_password(user, password):
        for key in keys:
            session.add(LoginAttempt(key=key))
        session.flush()
        raise NotAuthenticated(LOGIN_FAILED)
    assert user is not None
    return user


def open_session(session: Session, user: User, *, days: int) -> tuple[str, str]:
    """Start a browser session; returns (cookie value, CSRF token). Only the hash of the cookie is stored."""
    key = new_key(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        BrowserSession(
            key_hash=hash_key(key), user_id=user.id, csrf_token=csrf, expires_at=utcnow() + timedelta(days=days)
        )
    )
    session.flush()
    return key, csrf


# Every request with a session cookie runs it: one statement, built once (its cache key computed once).
_SESSION_AND_USER = (
    select(BrowserSession, User)
    .join(User, User.id == BrowserSession.user_id)
    .where(BrowserSession.key_hash == bindparam("key_hash"))
)


_SESSIONS = BrowserSession.__table__
_SESSION_ACTOR = key_holder_lookup(_SESSIONS, _SESSIONS.c.expires_at, _SESSIONS.c.csrf_token)
# every request of the web app runs it


def session_actor(db: Database, session: Session, key: str) -> tuple[Actor, str] | None:
    """The actor behind a browser session's cookie and the session's CSRF token, in one statement before the
    request's work (as `tokens.actor_for_token`); None when the session is unknown, expired or its user
    deactivated."""
    row = db.read_first(_SESSION_ACTOR, session, key_hash=hash_key(key))
    if row is None:
        return None
    user_id, email, is_admin, is_active, expires_at, csrf_token = row
    if _expired(expires_at) or not is_active:
        return None
    return Actor(user_id=user_id, email=email, is_admin=bool(is_admin)), csrf_token


def resolve_session(session: Session, key: str) -> tuple[User, BrowserSession] | None:
    found = session.execute(_SESSION_AND_USER, {"key_hash": hash_key(key)}).first()
    if found is None:
        return None
    row, user = found
    if _expired(row.expires_at) or not user.is_active:
        return None
    return user, row


def close_session(session: Session, key: str) -> None:
    session.execute(delete(BrowserSession).where(BrowserSession.key_hash == hash_key(key)))


def _expired(at: datetime) -> bool:
    return as_utc(at) <= utcnow()
