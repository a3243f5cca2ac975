"""Random keys, their hashes and the per-install secret kept in the database (shared by all app processes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import InstanceSetting

SECRET_KEY_NAME = "secret_key"


def new_key(nbytes: int = 20) -> str:
    """A random key in hex: 40 characters for a token, like Label Studio's; never parses as a JWT."""
    return secrets.token_hex(nbytes)


def hash_key(key: str) -> str:
    """Keys are long random strings, so a fast hash is enough to store them (passwords use argon2)."""
    return hashlib.sha256(key.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


_CACHED = "tessera.instance_secret"


def instance_secret(session: Session) -> str:
    """The install's signing secret, created on first use. Concurrent first calls agree on one value."""
    value = session.info.get(_CACHED)
    if value:
        return value
    value = session.scalar(select(InstanceSetting.value).where(InstanceSetting.key == SECRET_KEY_NAME))
    if value:
        if session.info.get("read_only"):  # read once a request (a cursor page checks a signature, makes one)
            session.info[_CACHED] = value
        return value
    raise RuntimeError("the instance secret is missing: run `tessera db upgrade` (ensure_instance_secret)")


def ensure_instance_secret(session: Session) -> None:
    if session.get(InstanceSetting, SECRET_KEY_NAME) is None:
        session.add(InstanceSetting(key=SECRET_KEY_NAME, value=secrets.token_urlsafe(48)))
        session.flush()
