"""One-time links: the first-run setup link that makes the first admin, and invites to new users."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Invite, User, as_utc, utcnow
from tessera.domain.errors import InvalidInput, NotFound, PermissionDenied
from tessera.services.actors import Actor
from tessera.services.secrets import hash_key, new_key
from tessera.services.users import count_users, create_user, validate_new_user

SETUP_HOURS = 24
INVITE_DAYS = 7


def create_setup_link_key(session: Session) -> str | None:
    """A one-time setup key while no user exists; None once someone has an account."""
    if count_users(session):
        return None
    key = new_key(24)
    session.add(
        Invite(kind="setup", key_hash=hash_key(key), is_admin=True, expires_at=utcnow() + timedelta(hours=SETUP_HOURS))
    )
    session.flush()
    return key


def create_invite(session: Session, actor: Actor, *, email: str | None = None, is_admin: bool = False) -> str:
    if not actor.is_admin:
        raise PermissionDenied("only an instance admin can invite users")
    if email is not None and (problems := validate_new_user(email, None)):
        raise InvalidInput(f"email: {problems['email'][0]}", field_errors=problems)
    key = new_key(24)
    session.add(
        Invite(
            kind="invite",
            key_hash=hash_key(key),
            email=email,
            is_admin=is_admin,
            created_by=actor.user_id,
            expires_at=utcnow() + timedelta(days=INVITE_DAYS),
        )
    )
    session.flush()
    return key


def find_invite(session: Session, key: str) -> Invite:
    invite = session.scalar(select(Invite).where(Invite.key_hash == hash_key(key)).with_for_update())
    if invite is None or invite.used_at is not None or as_utc(invite.expires_at) <= utcnow():
        raise NotFound("this link is invalid, used or expired")
    if invite.kind == "setup" and count_users(session):
        raise NotFound("this link is invalid, used or expired")
    return invite


def accept_invite(
    session: Session, key: str, *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    invite = find_invite(session, key)
    if invite.email and invite.email.lower() != email.strip().lower():
        raise InvalidInput("this invite is for another e-mail address", field_errors={"email": ["does not match"]})
    user = create_user(
        session,
        None,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_admin=invite.is_admin,
    )
    invite.used_at = utcnow()
    session.flush()
    return user
