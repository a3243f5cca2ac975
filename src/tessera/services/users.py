"""Users: creation, lookup, profile updates. Passwords are stored as argon2 hashes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tessera.db.tables import User, utcnow
from tessera.domain.errors import InvalidInput, NotFound, PermissionDenied
from tessera.services.actors import Actor

_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
PROFILE_FIELDS = {"first_name", "last_name", "username"}
NAME_MAX = 150  # the columns' length
EMAIL_MAX = 254
# Label Studio profile fields that its clients send; accepted and not kept.
IGNORED_PROFILE_FIELDS = {"phone", "allow_newsletters", "custom_hotkeys"}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so both cases take the same time. Made on the first
    such sign-in rather than at import: an argon2 hash costs about 0.2 s, which every `tessera` command paid."""
    return _hasher.hash("tessera-timing-equaliser")


def check_password(user: User | None, password: str) -> bool:
    stored = user.password_hash if user and user.password_hash else _dummy_hash()
    try:
        ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.password_hash is not None and user.is_active


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def validate_new_user(email: str, password: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(email, str) or len(email) > EMAIL_MAX or not EMAIL_RE.match(normalize_email(email)):
        errors["email"] = ["enter a valid e-mail address"]
    if password is not None and not isinstance(password, str):
        errors["password"] = ["the password must be a string"]
    elif password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = [f"the password must have at least {MIN_PASSWORD} characters"]
    return errors


def profile_errors(fields: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with the profile fields among `fields` (names, flags), by field."""
    errors: dict[str, list[str]] = {}
    for key in PROFILE_FIELDS & set(fields):
        value = fields[key]
        if value is not None and not (isinstance(value, str) and len(value) <= NAME_MAX):
            errors[key] = [f"must be a string of at most {NAME_MAX} characters"]
    for key in {"is_active", "is_admin"} & set(fields):
        if not isinstance(fields[key], bool):
            errors[key] = ["must be true or false"]
    return errors


def create_user(
    session: Session,
    actor: Actor | None,
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    username: str = "",
    is_admin: bool = False,
) -> User:
    """Create a user. `actor` must be an admin, or None for the first-run setup and the CLI."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only an instance admin can create users")
    errors = validate_new_user(email, password)
    if errors:
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), field_errors=errors)
    if find_user_by_email(session, email):
        raise InvalidInput("a user with this e-mail exists", field_errors={"email": ["already in use"]})
    user = User(
        email=normalize_email(email),
        username=username or normalize_email(email).split("@")[0],
        first_name=first_name or "",
        last_name=last_name or "",
        password_hash=hash_password(password) if password else None,
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def update_user(session: Session, actor: Actor, user_id: int, changes: dict[str, Any]) -> User:
    if actor.user_id != user_id and not actor.is_admin:
        raise PermissionDenied("you can change only your own profile")
    user = get_user(session, actor, user_id)
    if not isinstance(changes, dict):
        raise InvalidInput("the body must be a JSON object")
    allowed = PROFILE_FIELDS | ({"is_active", "is_admin"} if actor.is_admin else set())
    unknown = sorted(set(changes) - allowed - {"password"} - IGNORED_PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"these fields cannot be changed: {', '.join(unknown)}",
            field_errors={k: ["cannot be changed"] for k in unknown},
        )
    errors = profile_errors(changes)
    if "password" in changes:
        if changes["password"] is None:
            errors["password"] = ["the password must be a string"]
        elif problem := validate_new_user(user.email, changes["password"]).get("password"):
            errors["password"] = problem
    if errors:
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in sorted(errors.items())), field_errors=errors)
    for key in allowed & set(changes):
        setattr(user, key, "" if changes[key] is None else changes[key])  # a name sent as null is cleared
    if "password" in changes:
        user.password_hash = hash_password(changes["password"])
    session.flush()
    return user


def delete_user(session: Session, actor: Actor, user_id: int) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only an instance admin can delete users")
    user = get_user(session, actor, user_id)
    if user.id == actor.user_id:
        raise InvalidInput("you cannot delete yourself")
    session.delete(user)
    session.flush()


def touch_activity(session: Session, user: User) -> None:
    user.last_activity_at = utcnow()


def email_lookup(session: Session) -> Callable[[int | None], str | None]:
    """user id -> e-mail, each read once (training exports and reports name the annotator of every row)."""
    known: dict[int, str | None] = {}

    def email(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in known:
            known[user_id] = session.scalar(select(User.email).where(User.id == user_id))
        return known[user_id]

    return email
