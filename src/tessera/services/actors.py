"""Who is acting: the authenticated principal every service function receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, select

from tessera.db.raw_sql import RawStatement
from tessera.db.tables import User


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    is_admin: bool = False

    @classmethod
    def system(cls) -> Actor:
        """The CLI acting with full rights on the local database."""
        return cls(user_id=0, email="system", is_admin=True)


_U = User.__table__.c


def key_holder_lookup(holder: Table, *extra: ColumnElement[Any], **equal: Any) -> RawStatement:
    """The statement that finds who holds a key (an API token, a browser session) by the key's hash, the
    `key_hash` parameter: the user's id, e-mail, admin and active flags, then the `extra` columns of `holder`
    (whose `user_id` names the user), among its rows whose columns in `equal` have those values."""
    return RawStatement(
        select(_U.id, _U.email, _U.is_admin, _U.is_active, *extra)
        .join_from(holder, User.__table__, _U.id == holder.c.user_id)
        .where(holder.c.key_hash == bindparam("key_hash"), *(holder.c[name] == value for name, value in equal.items()))
    )
